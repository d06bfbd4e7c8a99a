using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamingApi.Models.Offline;

/// <summary>
/// Writes the offline model's answers: coherent markdown about the prompt's topic (a title, paragraphs, headed
/// sections, lists), chosen deterministically from the prompt. "long" or "essay" in the prompt asks for a long one.
/// </summary>
internal static partial class OfflineWriter
{
    private static readonly string[] Sentences =
    [
        "The first thing to notice about {0} is that it rewards a clear goal more than a clever technique.",
        "Most of the difficulty with {0} comes from the edges: unusual inputs, slow dependencies and cases nobody wrote down.",
        "A small, working version of {0} teaches more than a large plan for it.",
        "Teams that do well with {0} measure before they change anything, and again afterwards.",
        "It helps to separate what {0} must do from what would merely be nice.",
        "The cost of {0} is rarely in the obvious place; it tends to hide in coordination and waiting.",
        "When {0} goes wrong, it usually goes wrong quietly, which is why short feedback loops matter.",
        "Seen from a user's side, {0} is judged by how quickly it responds and how predictable it is.",
        "There is no single right answer for {0}, only trade-offs that suit one context better than another.",
        "Writing down the assumptions behind {0} makes them easy to check later.",
        "Simple defaults make {0} approachable, and clear escape hatches keep it useful for experts.",
        "In practice {0} improves in small steps far more often than in big leaps.",
        "The people closest to {0} usually know where it hurts; asking them early saves weeks.",
        "Good tools help with {0}, but they never replace understanding what the tools do.",
    ];

    private static readonly string[] Bullets =
    [
        "Start from the outcome you want, then work back to {0}.",
        "Keep the feedback loop short.",
        "Measure what you care about, not what is easy to count.",
        "Prefer boring, proven parts where you can.",
        "Write down what you decided and why.",
        "Plan for failure: timeouts, retries and a clear error.",
        "Review the result with someone who will use it.",
        "Change one thing at a time, so you know what helped.",
    ];

    private static readonly string[] Headings =
    [
        "Why it matters", "The core idea", "How it works in practice", "Common pitfalls", "Trade-offs",
        "A worked example", "Measuring success", "Looking ahead",
    ];

    /// <summary>
    /// Answers composed lately, already split into their tokens: the same question gets the same answer, so it is
    /// composed and split once, and every stream of it sends the same token strings.
    /// </summary>
    private static readonly ConcurrentDictionary<string, string[]> Composed = new();

    private const int ComposedKept = 64;

    /// <summary>
    /// Composes the answer (the same every time for the same prompt, facts and recommendations), as its <see cref="Tokens"/>.
    /// <paramref name="facts"/> (from tool results) get a section of their own.
    /// </summary>
    public static IReadOnlyList<string> Compose(string prompt, IReadOnlyList<string> facts, IReadOnlyList<string> recommendations)
    {
        var key = facts.Count == 0 && recommendations.Count == 0 ? prompt : string.Join('\u001f', [prompt, .. facts, "", .. recommendations]);
        if (Composed.TryGetValue(key, out var tokens)) return tokens;
        tokens = [.. Tokens(ComposeAnew(prompt, facts, recommendations))];
        if (Composed.Count >= ComposedKept) Composed.Clear(); // a small, bounded memory of recent answers
        Composed[key] = tokens;
        return tokens;
    }

    private static string ComposeAnew(string prompt, IReadOnlyList<string> facts, IReadOnlyList<string> recommendations)
    {
        var title = TitleOf(prompt);
        var topic = TopicOfTitle(title);
        var random = new Random((int)StableHash.Of(prompt));
        var isLong = LongRequest().IsMatch(prompt);
        var sentences = new Deck(Sentences, random);
        var bullets = new Deck(Bullets, random);
        var headings = new Deck(Headings, random);
        var text = new StringBuilder(isLong ? 32 * 1024 : 4 * 1024);

        text.Append("# ").Append(char.ToUpperInvariant(title[0])).Append(title.AsSpan(1)).Append("\n\n");
        Paragraph(text, topic, sentences, 2);

        if (facts.Count > 0)
        {
            text.Append("## What the data shows\n\n");
            foreach (var fact in facts) text.Append("- ").Append(fact).Append('\n');
            text.Append('\n');
            if (recommendations.Count > 0)
            {
                text.Append("## Recommendations\n\n");
                for (var i = 0; i < recommendations.Count; i++) text.Append(i + 1).Append(". ").Append(recommendations[i]).Append('\n');
                text.Append('\n');
            }
        }

        var sections = isLong ? 24 : facts.Count > 0 ? 1 : 3;
        for (var s = 0; s < sections; s++)
        {
            var heading = headings.Draw(1).Single();
            text.Append("## ").Append(isLong ? $"Part {s + 1}: {heading}" : heading).Append("\n\n");
            Paragraph(text, topic, sentences, isLong ? 5 : 3);
            if (s % 2 == 0)
            {
                foreach (var bullet in bullets.Draw(3)) text.Append("- ").Append(string.Format(bullet, topic)).Append('\n');
                text.Append('\n');
            }
            if (isLong) Paragraph(text, topic, sentences, 4);
        }

        text.Append("> “Make it work, make it right, make it fast.” — a rule of thumb that applies to ").Append(topic).Append(" too.\n");
        return text.ToString();
    }

    /// <summary>What the prompt is about, as the answer's sentences name it.</summary>
    public static string TopicOf(string prompt) => TopicOfTitle(TitleOf(prompt));

    /// <summary>
    /// Splits text into model-like tokens: a word with the white space after it (or white space alone, at the start),
    /// as the text is read, one token at a time.
    /// </summary>
    public static IEnumerable<string> Tokens(string text)
    {
        for (var start = 0; start < text.Length;)
        {
            var end = TokenEnd(text, start);
            yield return text.Substring(start, end - start);
            start = end;
        }
    }

    /// <summary>How many <see cref="Tokens"/> the text has, without making them.</summary>
    public static int TokenCount(string? text)
    {
        var count = 0;
        for (var start = 0; start < (text?.Length ?? 0); start = TokenEnd(text!, start)) count++;
        return count;
    }

    private static int TokenEnd(string text, int start)
    {
        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
        while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
        return end;
    }

    private static void Paragraph(StringBuilder text, string topic, Deck sentences, int count)
    {
        text.AppendJoin(' ', sentences.Draw(count).Select(s => string.Format(s, topic))).Append("\n\n");
    }

    /// <summary>Deals the pool in a shuffled order and reshuffles when it runs out, so nothing repeats too soon.</summary>
    private sealed class Deck(string[] pool, Random random)
    {
        private readonly Queue<string> _cards = new();

        public IEnumerable<string> Draw(int count)
        {
            for (var i = 0; i < count; i++)
            {
                if (_cards.Count == 0)
                {
                    var shuffled = pool.ToArray();
                    random.Shuffle(shuffled);
                    foreach (var card in shuffled) _cards.Enqueue(card);
                }
                yield return _cards.Dequeue();
            }
        }
    }

    private static string TitleOf(string prompt)
    {
        var title = Whitespace().Replace(prompt, " ").Trim().TrimEnd('.', '!', '?', ':', ';');
        if (title.Length > 80) title = title[..80].TrimEnd() + "…";
        return title.Length == 0 ? "The question" : title;
    }

    /// <summary>"Write a long essay about tides" is about "tides": the request's own words are left out.</summary>
    private static string TopicOfTitle(string title)
    {
        var topic = Request().Replace(title, "", 1).Trim();
        return topic.Length == 0 ? title : topic;
    }

    [GeneratedRegex(@"^(please\s+)?(write|give|tell|explain|describe|analy[sz]e|summari[sz]e|discuss|compare|check)\b(\s+me)?(\s+(a|an|the))?(\s+(long|short|brief))?(\s+(essay|article|post|overview|summary|report|analysis|explanation))?(\s+(about|on|of|for))?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Request();

    [GeneratedRegex(@"\b(long|essay)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LongRequest();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
