namespace StreamingApi.Agents;

/// <summary>
/// The first halves of characters a model split between two deltas (a surrogate pair, its second half starting the
/// next delta), held back so that every text and reasoning event is whole characters: JSON carries no half a character
/// (the encoder writes U+FFFD for one), so a half sent alone would reach every client as a replacement character. Made
/// by an agent only when a model splits one (<see cref="Whole"/>).
/// </summary>
internal sealed class SplitCharacters
{
    private char? _text;
    private char? _reasoning;

    /// <summary>
    /// The event for a delta of the model's text or reasoning: its kept half before it, and without the last half of
    /// a pair (kept in <paramref name="split"/>, made then); null for a delta that was only that half.
    /// </summary>
    public static AgentEvent? Whole(ref SplitCharacters? split, string delta, bool reasoning)
    {
        var kept = reasoning ? split?._reasoning : split?._text;
        if (kept is null && !char.IsHighSurrogate(delta[^1])) return reasoning ? new ReasoningDelta(delta) : new TextDelta(delta);
        split ??= new SplitCharacters();
        var text = kept is { } half ? half + delta : delta;
        char? next = char.IsHighSurrogate(text[^1]) ? text[^1] : null;
        if (next is not null) text = text[..^1];
        if (reasoning) split._reasoning = next;
        else split._text = next;
        return text.Length == 0 ? null : reasoning ? new ReasoningDelta(text) : new TextDelta(text);
    }

    /// <summary>A half the model never finished, at its stream's end: sent as it is, as the model gave it.</summary>
    public IEnumerable<AgentEvent> Rest()
    {
        if (_reasoning is { } thought) yield return new ReasoningDelta(thought.ToString());
        if (_text is { } text) yield return new TextDelta(text.ToString());
        (_reasoning, _text) = (null, null);
    }
}
