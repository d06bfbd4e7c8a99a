using System.Runtime.CompilerServices;
using Serilog;
using Serilog.Settings.Configuration;

namespace StreamingApi.Observability;

/// <summary>
/// The <c>Serilog</c> section read by Serilog.Settings.Configuration, for what <see cref="ConsoleLogSettings"/> does
/// not read (another sink, an enricher, a filter, level switches). A class of its own, so that neither that reader nor
/// the sinks' assemblies are loaded by a start whose section does not need them.
/// </summary>
internal static class FullLogSettings
{
    /// <summary>
    /// The sinks Serilog.AspNetCore brings (console, file, debug), which the section may use without a <c>Using</c>,
    /// as it could when the reader scanned the app's dependencies for them: they are named rather than found by
    /// scanning every assembly the app depends on, which costs a start a few hundred methods compiled.
    /// </summary>
    private static readonly ConfigurationReaderOptions SinkAssemblies = new(
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(LoggerSinkConfigurationDebugExtensions).Assembly);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Apply(IConfiguration configuration, LoggerConfiguration logger) =>
        logger.ReadFrom.Configuration(configuration, SinkAssemblies);
}
