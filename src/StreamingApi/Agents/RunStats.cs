namespace StreamingApi.Agents;

/// <summary>Running figures of one run: text chunks and characters, tool calls, token usage, elapsed time.</summary>
public sealed class RunStats(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private TimeSpan _before; // the run's elapsed time before it waited for approvals, when it went on from a checkpoint
    private long _inputTokens, _outputTokens, _reasoningTokens;
    private bool _hasUsage, _hasReasoningTokens;

    public int Chunks { get; private set; }

    public long Chars { get; private set; }

    public int ToolCalls { get; private set; }

    /// <summary>How long the run has worked: waiting for approvals is not counted.</summary>
    public TimeSpan Elapsed => _before + time.GetElapsedTime(_started);

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

    /// <summary>The figures so far, for a run that stops to wait.</summary>
    public RunStatsSnapshot Snapshot() => new(Chunks, Chars, ToolCalls, _hasUsage ? _inputTokens : null, _outputTokens,
        _hasReasoningTokens ? _reasoningTokens : null, (long)Elapsed.TotalMilliseconds, EndReason);

    /// <summary>Goes on from the figures of a run that waited.</summary>
    public void Restore(RunStatsSnapshot snapshot)
    {
        Chunks = snapshot.Chunks;
        Chars = snapshot.Chars;
        ToolCalls = snapshot.ToolCalls;
        EndReason = snapshot.EndReason;
        _before = TimeSpan.FromMilliseconds(snapshot.ElapsedMs);
        if (snapshot.InputTokens is { } input) AddUsage(input, snapshot.OutputTokens, snapshot.ReasoningTokens);
    }

    public ProgressReport ToProgress()
    {
        var elapsed = Elapsed;
        var rate = elapsed.TotalSeconds > 0 ? Math.Round(Chars / elapsed.TotalSeconds, 1) : 0;
        return new ProgressReport(Chunks, Chars, (long)elapsed.TotalMilliseconds, rate);
    }
}

/// <summary>A run's figures as kept with its checkpoint.</summary>
/// <param name="InputTokens">Null when the model reported no usage.</param>
public sealed record RunStatsSnapshot(int Chunks, long Chars, int ToolCalls, long? InputTokens, long OutputTokens, long? ReasoningTokens,
    long ElapsedMs, string? EndReason);
