using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace StreamingApi.Observability;

/// <summary>
/// Takes secrets out of every log event before any sink sees it: the value of a <c>ticket</c> query parameter (URLs
/// are logged whole by ASP.NET Core's hosting at Information, e.g. <c>Request starting ...?ticket=</c>) and the
/// credentials of an <c>Authorization</c> header or an API key, wherever a property holds them as text.
/// </summary>
public sealed partial class SecretsRedacted : ILogEventEnricher
{
    public const string Redacted = "[redacted]";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (value is not ScalarValue { Value: string text } || Redact(text) is not { } redacted) continue;
            logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(redacted)));
        }
    }

    /// <summary>The text with its secrets replaced, or null when it holds none.</summary>
    public static string? Redact(string text)
    {
        if (!text.Contains("ticket=", StringComparison.OrdinalIgnoreCase) && !text.Contains("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("Api-Key", StringComparison.OrdinalIgnoreCase)) return null;
        var redacted = Secrets().Replace(text, match => match.Groups["name"].Value + Redacted);
        return redacted == text ? null : redacted;
    }

    [GeneratedRegex(@"(?<name>(?:[?&]ticket=|\bBearer\s+|X-Api-Key[:=]\s*))[^&\s""',;]+", RegexOptions.IgnoreCase)]
    private static partial Regex Secrets();
}
