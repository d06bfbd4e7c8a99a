using StreamingApi.Agents;

namespace StreamingApi.Streaming;

/// <summary>The non-streamed result of an agent run.</summary>
public sealed record AgentTextResponse(string RunId, string Model, string Text, string Status, string? Reason, int Chunks, long Chars,
    long ElapsedMs, UsageReport? Usage);
