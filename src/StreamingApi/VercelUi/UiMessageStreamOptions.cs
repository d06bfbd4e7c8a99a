namespace StreamingApi.VercelUi;

/// <summary>What one UI message stream response is for: which client reads it, and whether it continues a message.</summary>
public sealed record UiMessageStreamOptions
{
    public static readonly UiMessageStreamOptions Default = new();

    /// <summary>
    /// Whether the client answers approvals (AI SDK 6 and later; true unless the request says otherwise, see
    /// <see cref="ChatRequest.Approvals"/>). When false (AI SDK 5, whose schemas know no approval part), a tool call
    /// that waits for approval ends the response with an <c>error</c> part, and the run is stopped.
    /// </summary>
    public bool Approvals { get; init; } = true;

    /// <summary>
    /// The tool calls the client already has, with no result yet, in the message this response continues (those it
    /// answered approvals of, and any other of their step): their results update those parts, without announcing the
    /// calls again or starting a step before them.
    /// </summary>
    public IReadOnlySet<string> ContinuedCalls { get; init; } = new HashSet<string>();

    /// <summary>
    /// The calls of the client's own tools whose results the client gave in the message this response continues: their
    /// <c>tool-result</c> events are the client's already, and are not told back.
    /// </summary>
    public IReadOnlySet<string> AnsweredCalls { get; init; } = new HashSet<string>();

    /// <summary>
    /// The reader starts at the run's beginning, not at its decisions (the run had gone on before this response): what
    /// came before the first <c>approval</c> event (or result of the client's tool) is the client's already and is left out.
    /// </summary>
    public bool SkipToDecisions { get; init; }

    /// <summary>A response that continues the client's message after its answers.</summary>
    public bool Continues => ContinuedCalls.Count > 0 || AnsweredCalls.Count > 0;
}
