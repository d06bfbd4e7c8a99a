using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace StreamingApi.Streaming;

/// <summary>
/// The position in a run that a frame's <c>id: runId:seq</c> names, and that a reconnecting browser sends back in
/// its <c>Last-Event-ID</c> header.
/// </summary>
public readonly record struct LastEventId(string RunId, long Sequence)
{
    public const string HeaderName = "Last-Event-ID";

    public const string Format = "<runId>:<seq>, as in the id of the last frame received";

    public override string ToString() => Of(RunId, Sequence);

    /// <summary>The id of the frame of event <paramref name="sequence"/> of run <paramref name="runId"/>.</summary>
    public static string Of(string runId, long sequence) => string.Create(CultureInfo.InvariantCulture, $"{runId}:{sequence}");

    public static bool TryParse(string? value, [NotNullWhen(true)] out LastEventId? id)
    {
        id = null;
        var colon = value?.LastIndexOf(':') ?? -1;
        if (value is null || colon <= 0 || colon > 64) return false;
        var runId = value[..colon];
        if (!runId.All(char.IsAsciiLetterOrDigit)) return false;
        if (!long.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return false;
        id = new LastEventId(runId, sequence);
        return true;
    }

    /// <summary>The request's <c>Last-Event-ID</c>: absent (null, also when empty), or its value to be parsed.</summary>
    public static string? HeaderOf(HttpRequest request) =>
        request.Headers[HeaderName].ToString() is { Length: > 0 } value ? value : null;
}
