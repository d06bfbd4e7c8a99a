using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// The OpenAI wire's types read and written by System.Text.Json's source generator, with OpenAI's snake_case names:
/// a streamed answer is one chunk per delta, and this reads each from its UTF-8 bytes without reflection. Names are
/// matched exactly (the general defaults, not the web's case-insensitive ones): the wire's names are always lower case. Numbers
/// sent as strings, as some compatible servers do, are read.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OpenAIRequest))]
[JsonSerializable(typeof(OpenAIChunk))]
[JsonSerializable(typeof(OpenAIParameters))]
[JsonSerializable(typeof(IDictionary<string, object?>))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
