using Serilog;
using Serilog.Events;

namespace StreamingApi.Observability;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog, configured from the <c>Serilog</c> section. Registered through DI, and never as the static
    /// <c>Log.Logger</c>, so that several hosts in one process (tests) each keep their own logger.
    /// </summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext(),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>One line per request: method, path (never the query, which can hold a prompt), status, elapsed.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = LevelOf;
            // This host's logger: the static one is left alone (see AddStructuredLogging).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        });

    /// <summary>
    /// A failure of ours is an error. A client that went away is not (streams end that way every day), nor is the 503 of
    /// a server shutting down on purpose.
    /// </summary>
    private static LogEventLevel LevelOf(HttpContext http, double elapsedMs, Exception? exception) =>
        http.RequestAborted.IsCancellationRequested ? LogEventLevel.Information
        : exception is not null || (http.Response.StatusCode >= 500 && http.Response.StatusCode != StatusCodes.Status503ServiceUnavailable)
            ? LogEventLevel.Error
            : LogEventLevel.Information;
}
