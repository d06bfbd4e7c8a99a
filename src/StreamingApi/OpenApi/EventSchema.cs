using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.OpenApi;

/// <summary>
/// The JSON Schema (2020-12) of our SSE frames' <c>data</c>, one schema per event type under <c>$defs</c>, keyed by the
/// type's name: generated from the event records with the app's own JSON options by <see cref="JsonSchemaExporter"/>,
/// so property names and nullability are those on the wire. It is checked in as <c>docs/events.schema.json</c> (a test
/// fails when the file differs from what this makes), served at <see cref="Path"/>, and the conformance suite
/// (<c>tools/Conformance</c>) validates every frame against it.
/// </summary>
public sealed class EventSchema(IOptions<JsonOptions> json)
{
    /// <summary>Where the service serves the document; the OpenAPI document points each stream operation here.</summary>
    public const string Path = "/events.schema.json";

    /// <summary>Where the document is checked in, relative to the repository's root.</summary>
    public const string File = "docs/events.schema.json";

    /// <summary>The command that writes <see cref="File"/> anew from the records.</summary>
    public const string RegenerateCommand =
        "UPDATE_EVENT_SCHEMA=1 dotnet test tests/StreamingApi.Tests --filter FullyQualifiedName~EventSchemaTests";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lazy<string> _text = new(() => Build(json.Value.SerializerOptions).ToJsonString(Indented) + "\n");

    /// <summary>The document as checked in: indented with two spaces, LF line endings, a final newline.</summary>
    public string Text => _text.Value;

    /// <summary>The document for the wire that <paramref name="wire"/> writes.</summary>
    public static JsonObject Build(JsonSerializerOptions wire)
    {
        // A copy of the app's options: the same names, casing, converters and encoder. Three settings change, each of
        // which only concerns reading JSON, so the frames written are the same; they make the schema say what a writer
        // of these records always does:
        // - numbers are written as numbers (the web defaults also read them from strings, which the exporter would allow);
        // - every positional parameter of a record is always written, so it is required (init-only properties such as
        //   tool-result's error are left out when null, so they are not);
        // - the records are closed: no property other than theirs. Fields typed object or JsonNode (tool arguments and
        //   results, structured outputs) are open JSON and stay so.
        var options = new JsonSerializerOptions(wire)
        {
            NumberHandling = JsonNumberHandling.Strict,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            TypeInfoResolver = wire.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver(),
        };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = LeftOutWhenNullIsNeverNull,
        };

        var definitions = new JsonObject();
        foreach (var type in AgentEventTypes.All)
        {
            var schema = JsonSchemaExporter.GetJsonSchemaAsNode(options, RunEventCodec.Types[type], exporter).AsObject();
            RebaseReferences(schema, $"#/$defs/{type}");
            definitions[type] = Titled(type, schema);
        }

        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "StreamingApi events",
            ["description"] = "The data of the SSE frames of StreamingApi's protocol (docs/protocol.md): a frame with event: <type> carries " +
                              "one line of JSON valid against #/$defs/<type>.",
            ["$comment"] = $"Generated from the event records by src/StreamingApi/OpenApi/EventSchema.cs; do not edit. A test fails when this " +
                           $"file differs from what the code generates; to write it anew: {RegenerateCommand}",
            ["$defs"] = definitions,
        };
    }

    /// <summary>
    /// A property the serializer leaves out when it is null (<c>[JsonIgnore(Condition = WhenWritingNull)]</c>) is never
    /// null when it is there.
    /// </summary>
    private static JsonNode LeftOutWhenNullIsNeverNull(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (context.PropertyInfo is { ShouldSerialize: not null } && schema is JsonObject { } property &&
            property["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
        {
            var others = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            property["type"] = others.Count == 1 ? others[0] : new JsonArray([.. others.Select(t => (JsonNode)t)]);
        }
        return schema;
    }

    /// <summary>
    /// The exporter's <c>$ref</c>s (recursive types) point into the type's own schema; under <c>$defs</c> they need its path.
    /// </summary>
    private static void RebaseReferences(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is ['#', .. var pointer])
                    obj["$ref"] = path + pointer;
                foreach (var (_, child) in obj) RebaseReferences(child, path);
                break;
            case JsonArray array:
                foreach (var child in array) RebaseReferences(child, path);
                break;
        }
    }

    /// <summary>The schema with a title first: the event type it describes.</summary>
    private static JsonObject Titled(string title, JsonObject schema)
    {
        var titled = new JsonObject { ["title"] = title };
        foreach (var name in schema.Select(p => p.Key).ToList())
        {
            var value = schema[name];
            schema.Remove(name);
            titled[name] = value;
        }
        return titled;
    }
}
