namespace StreamingApi.Agents;

/// <summary>Running figures of one run: text chunks and characters, tool calls, token usage, elapsed time.</summary>
public sealed class RunStats(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long _inputTokens, _outputTokens, _reasoningTokens;
    private bool _hasUsage, _hasReasoningTokens;

    public int Chunks { get; private set; }

    public long Chars { get; private set; }

    public int ToolCalls { get; private set; }

    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    /// <summary>Why a completed run ended early, when it did: <c>max-tokens</c> when the model hit its output limit.</summary>
    public string? EndReason { get; set; }

    public UsageReport? Usage => _hasUsage
        ? new UsageReport(_inputTokens, _outputTokens, _inputTokens + _outputTokens) { ReasoningTokens = _hasReasoningTokens ? _reasoningTokens : null }
        : null;

    public void Observe(AgentEvent @event)
    {
        switch (@event)
        {
            case TextDelta text:
                Chunks++;
                Chars += text.Delta.Length;
                break;
            case ToolCallStarted:
                ToolCalls++;
                break;
        }
    }

    /// <param name="reasoningTokens">The part of <paramref name="outputTokens"/> spent thinking, when the provider says.</param>
    public void AddUsage(long inputTokens, long outputTokens, long? reasoningTokens = null)
    {
        _hasUsage = true;
        _inputTokens += inputTokens;
        _outputTokens += outputTokens;
        if (reasoningTokens is not { } reasoning) return;
        _hasReasoningTokens = true;
        _reasoningTokens += reasoning;
    }

    public ProgressReport ToProgress()
    {
        var elapsed = Elapsed;
        var rate = elapsed.TotalSeconds > 0 ? Math.Round(Chars / elapsed.TotalSeconds, 1) : 0;
        return new ProgressReport(Chunks, Chars, (long)elapsed.TotalMilliseconds, rate);
    }
}
