using Microsoft.Extensions.Options;

namespace StreamingApi.Observability;

public static class StartupExtensions
{
    /// <summary>
    /// Runs the app; a setting that is missing or wrong stops start-up with one line that names it
    /// (exit code 1) instead of a stack trace.
    /// </summary>
    public static int RunOrExplain(this WebApplication app)
    {
        try
        {
            app.Run();
            return 0;
        }
        catch (Exception exception) when (SettingFailures(exception) is { Count: > 0 } failures)
        {
            Console.Error.WriteLine($"StreamingApi cannot start: {string.Join(" ", failures)}");
            return 1;
        }
    }

    private static List<string> SettingFailures(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct().ToList(),
        _ => [],
    };
}
