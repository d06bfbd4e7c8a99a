namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Any OpenAI-compatible chat completions server (section <c>OpenAI</c>): OpenAI itself, Ollama, vLLM, LM Studio,
/// llama.cpp's server. The key may also come from <c>OPENAI_API_KEY</c>; local servers need none.
/// </summary>
public sealed class OpenAIOptions
{
    public static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1");

    public Uri Endpoint { get; set; } = OpenAIEndpoint;

    public string? Model { get; set; } = "gpt-4o-mini";

    public string? ApiKey { get; set; }

    /// <summary>OpenAI itself needs a key; a server on another address may not.</summary>
    public bool NeedsKey => Endpoint.Host.EndsWith("openai.com", StringComparison.OrdinalIgnoreCase);
}
