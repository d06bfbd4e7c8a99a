using Serilog;
using Serilog.Events;

namespace StreamingApi.Observability;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog, configured from the <c>Serilog</c> section. Registered through DI, and never as the static
    /// <c>Log.Logger</c>, so that several hosts in one process (tests) each keep their own logger. Its factory is
    /// wrapped to keep one logger per category (<see cref="CachingLoggerFactory"/>). A section of levels and console
    /// sinks (the shipped one) is read by <see cref="ConsoleLogSettings"/>; any other by Serilog.Settings.Configuration
    /// (<see cref="FullLogSettings"/>), which a cold start then pays for.
    /// </summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) =>
            {
                var section = builder.Configuration.GetSection("Serilog");
                if (!ConsoleLogSettings.TryApply(section, logger)) FullLogSettings.Apply(builder.Configuration, logger);
                logger
                    .ReadFrom.Services(services)
                    .Enrich.FromLogContext()
                    .Enrich.With<SecretsRedacted>();
            },
            preserveStaticLogger: true);
        var serilog = builder.Services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        builder.Services.Remove(serilog);
        builder.Services.AddSingleton<ILoggerFactory>(services => new CachingLoggerFactory((ILoggerFactory)serilog.ImplementationFactory!(services)));
        return builder;
    }

    /// <summary>
    /// One line per request: method, path (never the query, which can hold a prompt or a ticket), status, elapsed. It must wrap
    /// <c>UseExceptionHandler</c>: inside it, an exception on its way to the handler is logged as a 500 with its stack
    /// trace, even when the handler answers 400 (input that cannot be bound) or 503 (the run store out of reach).
    /// Outside it, the line has the status on the wire. The stack trace of a failure no handler knows is still logged,
    /// once, by the exception handler itself (ASP.NET Core 10 stays silent only about exceptions an
    /// <c>IExceptionHandler</c> handled).
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = LevelOf;
            // This host's logger: the static one is left alone (see AddStructuredLogging).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        });

    /// <summary>
    /// A failure of ours is an error: a 5xx, or an exception that got past the exception handler (the response had
    /// started). A client's mistake (4xx) is not, nor is a client that went away (streams end that way every day), nor
    /// a 503 (a server shutting down on purpose, or a run store out of reach: its connection says so once, at Warning,
    /// rather than every request).
    /// </summary>
    private static LogEventLevel LevelOf(HttpContext http, double elapsedMs, Exception? exception) =>
        http.RequestAborted.IsCancellationRequested ? LogEventLevel.Information
        : exception is not null || (http.Response.StatusCode >= 500 && http.Response.StatusCode != StatusCodes.Status503ServiceUnavailable)
            ? LogEventLevel.Error
            : LogEventLevel.Information;
}
