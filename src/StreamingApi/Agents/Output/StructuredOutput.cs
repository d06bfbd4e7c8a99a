using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace StreamingApi.Agents.Output;

/// <summary>Parses and validates a structured result; anything invalid is an <see cref="AgentOutputException"/>.</summary>
public static class StructuredOutput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { RespectRequiredConstructorParameters = true };

    public static T Parse<T>(string text) where T : class
    {
        var json = StripFence(text);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException exception)
        {
            throw new AgentOutputException([$"The result is not valid JSON for {typeof(T).Name}: {exception.Message}"]);
        }
        if (value is null) throw new AgentOutputException(["The result is empty."]);

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        var errors = results.Select(r => r.ErrorMessage ?? "Invalid value.").ToList();
        errors.AddRange(BlankItems(value));
        if (errors.Count > 0) throw new AgentOutputException(errors);
        return value;
    }

    /// <summary>Lists whose items are empty strings fail too: "at least one finding" means a real one.</summary>
    private static IEnumerable<string> BlankItems(object value) =>
        from property in value.GetType().GetProperties()
        where property.GetValue(value) is IEnumerable<string> items && items.Any(string.IsNullOrWhiteSpace)
        select $"The field {property.Name} has an empty item.";

    /// <summary>Models sometimes wrap JSON in a markdown code fence; only the object is wanted.</summary>
    private static string StripFence(string text)
    {
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        return start >= 0 && end > start ? text[start..(end + 1)] : text;
    }
}
