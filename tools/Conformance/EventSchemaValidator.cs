using System.Reflection;
using System.Text.Json;
using Json.Schema;

namespace Conformance;

/// <summary>
/// Validates a frame's data against <c>events.schema.json#/$defs/&lt;event type&gt;</c> with JsonSchema.Net, a maintained
/// validator of JSON Schema 2020-12 (formats such as <c>date-time</c> included).
/// </summary>
internal sealed class EventSchemaValidator
{
    private static readonly Uri Base = new("urn:streamingapi:events");

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly Dictionary<string, JsonSchema> _events = [];

    private EventSchemaValidator(string document)
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromText(document, build, Base);
        using var parsed = JsonDocument.Parse(document);
        foreach (var definition in parsed.RootElement.GetProperty("$defs").EnumerateObject())
        {
            var pointer = Uri.EscapeDataString(definition.Name.Replace("~", "~0").Replace("/", "~1"));
            var reference = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$ref"] = $"{Base}#/$defs/{pointer}",
            });
            _events[definition.Name] = JsonSchema.FromText(reference, build, new Uri($"{Base}:{pointer}"));
        }
    }

    /// <summary>Where the schema came from: a file, or the copy built into the suite.</summary>
    public required string Source { get; init; }

    public IReadOnlyCollection<string> Types => _events.Keys;

    /// <summary>The schema in <paramref name="path"/>, or the one the suite was built with (the repository's docs/events.schema.json).</summary>
    public static EventSchemaValidator Load(string? path)
    {
        if (path is not null) return new EventSchemaValidator(File.ReadAllText(path)) { Source = path };
        using var embedded = Assembly.GetExecutingAssembly().GetManifestResourceStream("events.schema.json")
                             ?? throw new InvalidOperationException("The suite was built without its events.schema.json.");
        using var reader = new StreamReader(embedded);
        return new EventSchemaValidator(reader.ReadToEnd()) { Source = "built in (docs/events.schema.json)" };
    }

    /// <summary>Null when <paramref name="data"/> is valid for <paramref name="type"/>; else why not.</summary>
    public string? Validate(string type, string data)
    {
        if (!_events.TryGetValue(type, out var schema)) return $"'{type}' is not an event type of the schema";
        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(data);
        }
        catch (JsonException e)
        {
            return $"data is not JSON ({e.Message})";
        }
        using (instance)
        {
            var results = schema.Evaluate(instance.RootElement, Evaluation);
            if (results.IsValid) return null;
            var errors = (results.Details ?? []).Prepend(results)
                .Where(r => r.Errors is { Count: > 0 })
                .SelectMany(r => r.Errors!.Select(e => $"at {(r.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .Distinct()
                .ToList();
            return errors.Count == 0 ? "does not match the schema" : string.Join(", ", errors.Take(2));
        }
    }
}
