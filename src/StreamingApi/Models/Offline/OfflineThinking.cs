using Microsoft.Extensions.AI;

namespace StreamingApi.Models.Offline;

/// <summary>
/// What the offline model thinks before it answers or calls tools: a few sentences on the request and its next step,
/// built from the same facts it then acts on, so the reasoning is deterministic and agrees with what follows it.
/// </summary>
internal static class OfflineThinking
{
    /// <summary>
    /// What the conversation was about before the request, when it has earlier user messages ("Earlier in this
    /// conversation: tides and rivers. "); nothing for a single question.
    /// </summary>
    public static string Recall(IReadOnlyList<string> earlierRequests) =>
        earlierRequests.Count == 0 ? "" : $"Earlier in this conversation: {List(earlierRequests.Select(OfflineWriter.TopicOf).Distinct().ToList())}. ";

    /// <summary>Before asking for <paramref name="calls"/>.</summary>
    public static string BeforeCalls(string prompt, IReadOnlyList<FunctionCallContent> calls, IReadOnlyList<ToolOutcome> history)
    {
        var start = history.Count == 0 ? $"The request is about {OfflineWriter.TopicOf(prompt)}. " : $"{Had(history)} ";
        var verb = calls.Count > 1 ? "I will ask for them together" : "I will ask for it";
        return $"{start}Next I need {List(calls.Select(OfflineAnalyst.Describe).ToList())}, so {verb} before I answer.";
    }

    /// <summary>Before the markdown answer.</summary>
    public static string BeforeText(string prompt, IReadOnlyList<ToolOutcome> history) =>
        history.Any(o => o.Result is not null)
            ? $"{Had(history)} That is what I need: I will lead with the figures, then give the recommendations they support."
            : $"The request is about {OfflineWriter.TopicOf(prompt)}. I will answer with a title, a short explanation and a few practical points.";

    /// <summary>Before the structured result.</summary>
    public static string BeforeJson() =>
        "The answer is written. The same findings now go into the fields asked for: summary, findings, recommendations and data sources.";

    private static string Had(IReadOnlyList<ToolOutcome> history)
    {
        var results = history.Count(o => o.Result is not null);
        return $"I have {results} tool result{(results == 1 ? "" : "s")} so far.";
    }

    private static string List(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";
}
