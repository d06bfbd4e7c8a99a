using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Models.Gemini;

namespace StreamingApi.Tests.Units;

public sealed class GeminiSchemaTests
{
    [Fact]
    public void KeepsWhatGeminiAcceptsAndDropsTheRest()
    {
        var schema = JsonDocument.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "region": { "type": ["string", "null"], "description": "A region.", "default": "EU", "pattern": "^[A-Z]+$" },
                "kind": { "type": "string", "enum": ["a", "b"], "const": "a" },
                "when": { "type": "string", "format": "date-time" },
                "uri": { "type": "string", "format": "uri" },
                "tags": { "type": "array", "items": { "$ref": "#/$defs/tag" }, "minItems": 1 },
                "limit": { "anyOf": [ { "type": "integer", "minimum": 1 }, { "type": "null" } ] }
              },
              "required": ["kind"],
              "$defs": { "tag": { "type": "object", "properties": { "name": { "type": "string" } } } }
            }
            """).RootElement;

        var converted = GeminiSchema.Convert(schema);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {
              "type": "object",
              "properties": {
                "region": { "type": "string", "nullable": true, "description": "A region." },
                "kind": { "type": "string", "enum": ["a", "b"] },
                "when": { "type": "string", "format": "date-time" },
                "uri": { "type": "string" },
                "tags": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" } } }, "minItems": 1 },
                "limit": { "type": "integer", "minimum": 1, "nullable": true }
              },
              "required": ["kind"]
            }
            """), converted), converted.ToJsonString());
    }
}
