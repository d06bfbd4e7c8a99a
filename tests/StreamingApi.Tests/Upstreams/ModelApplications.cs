using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Upstreams;

/// <summary>The app under test pointed at a loopback model API.</summary>
public static class ModelApplications
{
    public const string GeminiKey = "AIzaTestKey-0123456789abcdefghijklmnop";
    public const string OpenAIKey = "sk-test-0123456789";

    public static StreamingApiApplication Gemini(LoopbackUpstream upstream) => new StreamingApiApplication()
        .With("Agent:Provider", "gemini")
        .With("Gemini:ApiKey", GeminiKey)
        .With("Gemini:Endpoint", upstream.Address.ToString())
        .With("Gemini:RetryDelayMs", "10");

    public static StreamingApiApplication OpenAI(LoopbackUpstream upstream) => new StreamingApiApplication()
        .With("Agent:Provider", "openai")
        .With("OpenAI:ApiKey", OpenAIKey)
        .With("OpenAI:Endpoint", new Uri(upstream.Address, "v1").ToString())
        .With("OpenAI:Model", "gpt-4o-mini");
}
