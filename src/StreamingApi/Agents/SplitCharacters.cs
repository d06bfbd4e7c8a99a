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
        if ((reasoning ? split?._reasoning : split?._text) is null && !char.IsHighSurrogate(delta[^1]))
            return reasoning ? new ReasoningDelta(delta) : new TextDelta(delta);
        split ??= new SplitCharacters();
        var text = Join(ref reasoning ? ref split._reasoning : ref split._text, delta);
        return text.Length == 0 ? null : reasoning ? new ReasoningDelta(text) : new TextDelta(text);
    }

    /// <summary>
    /// The whole characters of <paramref name="half"/> (a first half kept from before, or null) and
    /// <paramref name="delta"/> after it; a first half that ends them is kept in <paramref name="half"/> for the next
    /// delta. Empty when there were none.
    /// </summary>
    public static string Join(ref char? half, string delta)
    {
        var text = half is { } kept ? kept + delta : delta;
        half = text.Length > 0 && char.IsHighSurrogate(text[^1]) ? text[^1] : null;
        return half is null ? text : text[..^1];
    }

    /// <summary>A half the model never finished, at its stream's end: sent as it is, as the model gave it.</summary>
    public IEnumerable<AgentEvent> Rest()
    {
        if (_reasoning is { } thought) yield return new ReasoningDelta(thought.ToString());
        if (_text is { } text) yield return new TextDelta(text.ToString());
        (_reasoning, _text) = (null, null);
    }
}
