using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.Offline;

/// <summary>A tool call the conversation already holds, with its result once it has one.</summary>
internal sealed record ToolOutcome(string CallId, string Name, IDictionary<string, object?> Arguments, JsonElement? Result);

/// <summary>
/// The offline model's reasoning about tools: which of the offered tools the prompt needs, with which arguments
/// (the year from the prompt, growth from the real sales totals), and what the results say.
/// </summary>
internal static partial class OfflineAnalyst
{
    public const string Sales = "fetch_sales_data";
    public const string Customers = "fetch_customer_data";
    public const string Growth = "calculate_growth";
    public const string Inventory = "check_inventory";
    public const string SendReport = "send_report";

    /// <summary>Where a report goes when the prompt asks to send it but names no address.</summary>
    public const string DefaultRecipient = "team@example.com";

    /// <summary>The calls to make next, all in one turn; empty when the model has what it needs.</summary>
    public static List<FunctionCallContent> NextCalls(string prompt, IList<AITool> tools, IReadOnlyList<ToolOutcome> history, int defaultYear)
    {
        var turn = history.Count;
        // The client's tools that the prompt names come first, in a turn of their own: the run waits for their results.
        var clientCalls = tools.OfType<AIFunctionDeclaration>()
            .Where(t => t is not AIFunction && prompt.Contains(t.Name, StringComparison.OrdinalIgnoreCase) && !Called(history, t.Name))
            .Select((t, i) => new FunctionCallContent($"call_{turn + i + 1}", t.Name, ArgumentsFor(t.JsonSchema, prompt, defaultYear)))
            .ToList();
        if (clientCalls.Count > 0) return clientCalls;

        var calls = new List<(string Tool, Dictionary<string, object?> Arguments)>();
        var year = YearOf(prompt, defaultYear);
        var mentionsCustomers = CustomerWords().IsMatch(prompt);
        var wantsSales = SalesWords().IsMatch(prompt) || !mentionsCustomers;
        var wantsCustomers = mentionsCustomers || AnalysisWords().IsMatch(prompt);

        if (Offered(tools, Sales) is { } sales && wantsSales && !Called(history, Sales))
        {
            calls.Add((sales, new() { ["year"] = year }));
            if (Offered(tools, Growth) is not null) calls.Add((sales, new() { ["year"] = year - 1 }));
        }
        if (Offered(tools, Customers) is { } customers && wantsCustomers && !Called(history, Customers))
            calls.Add((customers, []));
        if (Offered(tools, Inventory) is { } inventory && !Called(history, Inventory))
            calls.Add((inventory, new() { ["region"] = RegionOf(prompt) }));

        if (calls.Count == 0 && Offered(tools, Growth) is { } growth && !Called(history, Growth)
            && TotalFor(history, year - 1) is { } previous && TotalFor(history, year) is { } current)
        {
            calls.Add((growth, new() { ["previous"] = previous, ["current"] = current }));
        }

        // Sending is the last step, after every other tool, and its own turn: a person approves it first.
        if (calls.Count == 0 && Offered(tools, SendReport) is { } send && SendWords().IsMatch(prompt) && !Called(history, SendReport))
            calls.Add((send, new() { ["to"] = RecipientOf(prompt), ["subject"] = $"Report: {Shorten(prompt)}" }));

        return calls.Select((c, i) => new FunctionCallContent($"call_{turn + i + 1}", c.Tool, c.Arguments)).ToList();
    }

    /// <summary>
    /// Arguments for a tool the model knows only by its schema: each property the schema lists, a string from the prompt
    /// (its first quoted text, else the prompt itself), a number the prompt's year, a boolean true.
    /// </summary>
    private static Dictionary<string, object?> ArgumentsFor(JsonElement schema, string prompt, int defaultYear)
    {
        var arguments = new Dictionary<string, object?>();
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return arguments;
        foreach (var property in properties.EnumerateObject())
        {
            var type = property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : "string";
            arguments[property.Name] = type switch
            {
                "number" or "integer" => YearOf(prompt, defaultYear),
                "boolean" => true,
                "string" => Quoted().Match(prompt) is { Success: true } quoted ? quoted.Groups[1].Value : Shorten(prompt),
                _ => null,
            };
        }
        return arguments;
    }

    /// <summary>A call in words, for the model's reasoning: "fetch_sales_data for 2024".</summary>
    public static string Describe(FunctionCallContent call)
    {
        var arguments = call.Arguments ?? new Dictionary<string, object?>();
        string Argument(string name) => Convert.ToString(arguments.TryGetValue(name, out var value) ? value : null, CultureInfo.InvariantCulture) ?? "";
        return BaseName(call.Name) switch
        {
            Sales => $"{Sales} for {Argument("year")}",
            Growth => $"{Growth} from {Argument("previous")} to {Argument("current")}",
            Inventory => $"{Inventory} for {Argument("region")}",
            SendReport => $"{SendReport} to {Argument("to")}",
            var name => name,
        };
    }

    /// <summary>One sentence per fact found in the tool results, with its figure.</summary>
    public static List<string> Facts(IReadOnlyList<ToolOutcome> history)
    {
        var facts = new List<string>();
        foreach (var outcome in history)
        {
            if (BaseName(outcome.Name) == SendReport)
            {
                var to = Convert.ToString(outcome.Arguments.TryGetValue("to", out var address) ? address : null, CultureInfo.InvariantCulture);
                facts.Add(outcome.Result is { } sent && Property(sent, "sent") is { ValueKind: JsonValueKind.True }
                    ? $"The report was sent to {to} (message {Text(sent, "messageId")})."
                    : $"The report was not sent to {to}: sending it was not approved.");
                continue;
            }
            if (outcome.Result is not { } result) continue;
            switch (BaseName(outcome.Name))
            {
                case var name when name is not (Sales or Customers or Growth or Inventory):
                    facts.Add(result.ValueKind == JsonValueKind.String
                        ? $"The {name} tool answered: {result.GetString()}"
                        : $"The {name} tool answered {result.GetRawText()}.");
                    break;
                case Sales:
                    facts.Add($"Revenue in {Number(result, "year"):0} was {Money(Number(result, "total"))}, strongest in {Text(result, "topRegion")}.");
                    break;
                case Customers:
                    facts.Add($"There are {Number(result, "totalCustomers"):N0} customers, {Number(result, "newCustomers"):N0} of them new, with churn at {Number(result, "churnRatePercent")}%.");
                    break;
                case Growth:
                    facts.Add($"Revenue grew {Number(result, "percentChange")}% year on year ({Money(Number(result, "absoluteChange"))}).");
                    break;
                case Inventory:
                    facts.Add($"{Text(result, "region")} has {Number(result, "inStock"):N0} units in stock and {Number(result, "backordered"):N0} on backorder.");
                    break;
            }
        }
        return facts;
    }

    public static List<string> Recommendations(IReadOnlyList<ToolOutcome> history)
    {
        var recommendations = new List<string>();
        var growth = history.FirstOrDefault(o => BaseName(o.Name) == Growth)?.Result;
        if (growth is { } g)
        {
            recommendations.Add(Number(g, "percentChange") >= 5
                ? "Invest in the strongest region to keep growth above 5%."
                : "Review pricing and the sales pipeline: growth is below 5%.");
        }
        if (history.Any(o => BaseName(o.Name) == Customers && o.Result is not null))
            recommendations.Add("Run a retention campaign for small-business customers, where churn concentrates.");
        if (history.Any(o => BaseName(o.Name) == Inventory && o.Result is not null))
            recommendations.Add("Reorder before backorders delay the next delivery.");
        if (recommendations.Count == 0) recommendations.Add("Collect more data before deciding.");
        return recommendations;
    }

    /// <summary>The structured result, built from the same facts the text told.</summary>
    public static JsonObject Report(string prompt, IReadOnlyList<ToolOutcome> history)
    {
        var facts = Facts(history);
        var summary = facts.Count > 0
            ? $"Answer to \"{Shorten(prompt)}\": {string.Join(" ", facts.Take(2))}"
            : $"No data was available to answer \"{Shorten(prompt)}\".";
        return new JsonObject
        {
            ["summary"] = summary,
            ["findings"] = new JsonArray(facts.Select(f => (JsonNode?)f).DefaultIfEmpty("No findings.").ToArray()),
            ["recommendations"] = new JsonArray(Recommendations(history).Select(r => (JsonNode?)r).ToArray()),
            ["dataSources"] = new JsonArray(history.Where(o => o.Result is not null).Select(o => BaseName(o.Name)).Where(n => n != SendReport).Distinct().Select(n => (JsonNode?)n).ToArray()),
        };
    }

    /// <summary>The tool calls and results of the conversation so far, paired by call id.</summary>
    /// <remarks>Read once per model call: a conversation without tool calls (every writer's) costs one pass and an empty list.</remarks>
    public static List<ToolOutcome> History(IEnumerable<ChatMessage> messages)
    {
        List<FunctionCallContent>? calls = null;
        Dictionary<string, object?>? results = null;
        foreach (var message in messages)
        {
            var contents = message.Contents; // indexed: foreach over the IList would box an enumerator per message
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionCallContent call) (calls ??= []).Add(call);
                else if (contents[i] is FunctionResultContent result) (results ??= new()).Add(result.CallId, result.Result);
            }
        }
        if (calls is null) return [];
        return calls.Select(c => new ToolOutcome(c.CallId, c.Name, c.Arguments ?? new Dictionary<string, object?>(),
                results is not null && results.TryGetValue(c.CallId, out var result) && result is not null ? ToJson(result) : null))
            .ToList();
    }

    private static JsonElement ToJson(object value) =>
        value as JsonElement? ?? JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);

    private static string? Offered(IList<AITool> tools, string name) =>
        tools.FirstOrDefault(t => BaseName(t.Name) == name)?.Name;

    private static bool Called(IReadOnlyList<ToolOutcome> history, string name) => history.Any(o => BaseName(o.Name) == name);

    /// <summary>Semantic Kernel may prefix a plugin name ("plugin-name" or "plugin_name"); the tool is the suffix.</summary>
    private static string BaseName(string name)
    {
        foreach (var known in (string[])[Sales, Customers, Growth, Inventory, SendReport])
            if (name.EndsWith(known, StringComparison.Ordinal)) return known;
        return name;
    }

    private static decimal? TotalFor(IReadOnlyList<ToolOutcome> history, int year) =>
        history.Where(o => BaseName(o.Name) == Sales && o.Result is not null && Number(o.Result.Value, "year") == year)
            .Select(o => (decimal?)Number(o.Result!.Value, "total")).FirstOrDefault();

    private static decimal Number(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal()
        : Property(element, name) is { ValueKind: JsonValueKind.String } text && decimal.TryParse(text.GetString(), CultureInfo.InvariantCulture, out var parsed) ? parsed
        : 0;

    private static string Text(JsonElement element, string name) => Property(element, name)?.ToString() ?? "unknown";

    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var property in element.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        return null;
    }

    private static string Money(decimal value) => value.ToString("$#,0", CultureInfo.InvariantCulture);

    private static string Shorten(string prompt) => prompt.Length <= 60 ? prompt.Trim() : prompt[..60].Trim() + "…";

    private static int YearOf(string prompt, int defaultYear) =>
        Year().Match(prompt) is { Success: true } match ? int.Parse(match.Value, CultureInfo.InvariantCulture) : defaultYear;

    private static string RegionOf(string prompt) =>
        Region().Match(prompt) is { Success: true } match ? match.Value : "Europe";

    private static string RecipientOf(string prompt) =>
        Email().Match(prompt) is { Success: true } match ? match.Value : DefaultRecipient;

    [GeneratedRegex("[\"“]([^\"”]+)[\"”]")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b(send|e-?mail)", RegexOptions.IgnoreCase)]
    private static partial Regex SendWords();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(19|20)\d{2}\b")]
    private static partial Regex Year();

    [GeneratedRegex(@"\b(North America|Europe|Asia Pacific|Latin America|EMEA|APAC)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Region();

    [GeneratedRegex(@"sales|revenue|growth|trend|perform", RegexOptions.IgnoreCase)]
    private static partial Regex SalesWords();

    [GeneratedRegex(@"customer|churn|segment|retention", RegexOptions.IgnoreCase)]
    private static partial Regex CustomerWords();

    [GeneratedRegex(@"analy[sz]|overview|report|business", RegexOptions.IgnoreCase)]
    private static partial Regex AnalysisWords();
}
