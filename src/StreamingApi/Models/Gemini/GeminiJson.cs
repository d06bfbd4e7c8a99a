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
