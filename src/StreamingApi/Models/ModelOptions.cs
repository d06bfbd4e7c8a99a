namespace StreamingApi.Models;

/// <summary>Which model the agents run on (section <c>Agent</c>, key <c>Provider</c>).</summary>
public sealed class ModelOptions
{
    public const string Offline = "offline";
    public const string Gemini = "gemini";
    public const string OpenAI = "openai";

    public string Provider { get; set; } = Offline;

    public string Normalized => Provider.Trim().ToLowerInvariant();
}
