using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingApi.Models.Gemini;

internal static class GeminiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// The answer's chunks read by System.Text.Json's source generator, with <see cref="GeminiJson.Options"/>'s settings:
/// a streamed answer is one chunk per delta, and this reads each without reflection over the Gemini types.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GeminiResponse))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
