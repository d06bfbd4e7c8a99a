using Microsoft.Extensions.Primitives;
using Serilog;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace StreamingApi.Observability;

/// <summary>
/// The <c>Serilog</c> section read without Serilog.Settings.Configuration when it holds only what appsettings.json
/// ships with: minimum levels (<c>MinimumLevel</c> as a level, or its <c>Default</c> and <c>Override</c>s) and console
/// sinks (<c>WriteTo</c> entries named <c>Console</c>, with an <c>outputTemplate</c> at most; <c>Using</c> naming
/// Serilog.Sinks.Console at most). That reader finds its sinks' methods by reflection and binds their arguments, which
/// costs a cold start some hundreds of methods compiled and a few assemblies loaded; this one does what it would do
/// with such a section: the same sink calls, and levels that follow a reloaded configuration as its do. A section with
/// anything else (another sink, an enricher, a filter, a level switch, a level it would reject) is left to that reader.
/// </summary>
internal static class ConsoleLogSettings
{
    private const string ConsoleSink = "Console";
    private const string ConsoleSinkAssembly = "Serilog.Sinks.Console";
    private const string OutputTemplate = "outputTemplate";

    /// <summary>Configures <paramref name="logger"/> from the section and returns true, or returns false and configures nothing.</summary>
    public static bool TryApply(IConfigurationSection section, LoggerConfiguration logger)
    {
        if (!IsConsoleOnly(section)) return false;

        var minimumLevel = section.GetSection("MinimumLevel");
        var defaultLevel = minimumLevel.Value is not null ? minimumLevel : minimumLevel.GetSection("Default");
        if (defaultLevel.Value is not null) logger.MinimumLevel.ControlledBy(Following(defaultLevel));
        foreach (var level in minimumLevel.GetSection("Override").GetChildren())
            logger.MinimumLevel.Override(level.Key, Following(level));

        foreach (var sink in section.GetSection("WriteTo").GetChildren())
        {
            if (sink.GetSection("Args")[OutputTemplate] is { } template) logger.WriteTo.Console(outputTemplate: template);
            else logger.WriteTo.Console();
        }
        return true;
    }

    /// <summary>A switch at the directive's level, set again whenever the configuration reloads with a valid level.</summary>
    private static LoggingLevelSwitch Following(IConfigurationSection directive)
    {
        var levelSwitch = new LoggingLevelSwitch(Enum.Parse<LogEventLevel>(directive.Value!));
        ChangeToken.OnChange(directive.GetReloadToken, () =>
        {
            if (Enum.TryParse(directive.Value, out LogEventLevel level)) levelSwitch.MinimumLevel = level;
            else SelfLog.WriteLine($"The value {directive.Value} is not a valid Serilog level.");
        });
        return levelSwitch;
    }

    private static bool IsConsoleOnly(IConfigurationSection section) =>
        section.GetChildren().All(child => child.Key switch
        {
            "Using" => child.Value is null && child.GetChildren().All(name => name.Value == ConsoleSinkAssembly),
            "MinimumLevel" => IsMinimumLevel(child),
            "WriteTo" => child.Value is null && child.GetChildren().All(IsConsoleSink),
            _ => false,
        });

    private static bool IsMinimumLevel(IConfigurationSection minimumLevel) => minimumLevel.Value is not null
        ? IsLevel(minimumLevel) && !minimumLevel.GetChildren().Any()
        : minimumLevel.GetChildren().All(child => child.Key switch
        {
            "Default" => IsLevel(child),
            "Override" => child.Value is null && child.GetChildren().All(IsLevel),
            _ => false,
        });

    /// <summary>A level by its name (as Serilog's reader parses it), with nothing below it.</summary>
    private static bool IsLevel(IConfigurationSection directive) =>
        directive.Value is { Length: > 0 } value && char.IsLetter(value[0]) && Enum.TryParse(value, out LogEventLevel _)
        && !directive.GetChildren().Any();

    /// <summary><c>"Console"</c>, or <c>{ "Name": "Console", "Args": { "outputTemplate": "..." } }</c>.</summary>
    private static bool IsConsoleSink(IConfigurationSection sink) => sink.Value is not null
        ? sink.Value == ConsoleSink && !sink.GetChildren().Any()
        : sink.GetChildren().All(child => child.Key switch
        {
            "Name" => child.Value == ConsoleSink,
            "Args" => child.Value is null && child.GetChildren().All(arg => arg.Key == OutputTemplate && arg.Value is not null && !arg.GetChildren().Any()),
            _ => false,
        }) && sink["Name"] == ConsoleSink;
}
