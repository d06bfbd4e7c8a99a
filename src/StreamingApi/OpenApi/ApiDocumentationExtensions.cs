using Microsoft.OpenApi;

namespace StreamingApi.OpenApi;

public static class ApiDocumentationExtensions
{
    /// <summary>
    /// Swagger (OpenAPI) for every endpoint; SSE endpoints are documented as <c>text/event-stream</c>, and those of our
    /// protocol point at the schema of their events; authentication's schemes and the operations that need a principal
    /// are described when it is on.
    /// </summary>
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSingleton<EventSchema>();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "StreamingApi",
                Version = "v1",
                Description = "An AI agent's work streamed over Server-Sent Events: text, tool calls, progress, structured results.",
            });
            options.OperationFilter<EventSchemaOperationFilter>();
            options.DocumentFilter<AuthDocumentFilter>();
            options.OperationFilter<AuthDocumentFilter>();
        });
        return services;
    }

    /// <summary>
    /// The document at <c>/swagger/v1/swagger.json</c> and its UI at <c>/swagger</c>, and the event schema at
    /// <c>/events.schema.json</c>. The document is an endpoint rather than a middleware, so that a stream's request does
    /// not pass through it (and keep it waiting while it streams). Neither the document's middleware nor the UI's (its
    /// embedded files, its page) is built before the first request that needs it: no stream pays for them at start-up.
    /// </summary>
    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.MapSwaggerOnFirstRequest();
        app.MapGet(EventSchema.Path, (EventSchema schema) => TypedResults.Text(schema.Text, "application/schema+json"))
            .WithName("EventSchema")
            .WithSummary("The JSON Schema (2020-12) of every SSE event's data, one schema per event type under $defs.")
            .WithTags("Documentation");
        app.UseOnFirstRequestUnder("/swagger", ui => ui.UseSwaggerUI(options => options.DocumentTitle = "StreamingApi"));
        return app;
    }

    /// <summary>
    /// What Swashbuckle's <c>MapSwagger()</c> maps (the document's middleware as the endpoint at its default route),
    /// with the middleware built by the first request for a document rather than when the endpoint is mapped.
    /// </summary>
    private static IEndpointConventionBuilder MapSwaggerOnFirstRequest(this WebApplication app)
    {
        const string pattern = "/swagger/{documentName}/swagger.{extension}"; // MapSwagger's default
        var document = new Lazy<RequestDelegate>(() =>
            ((IEndpointRouteBuilder)app).CreateApplicationBuilder().UseSwagger(options => options.RouteTemplate = pattern).Build());
        RequestDelegate handler = http => document.Value(http);
        return app.MapGet(pattern, handler);
    }

    /// <summary>
    /// A branch of middleware for the requests under <paramref name="path"/>, built by the first of them; the requests it
    /// passes on, and all others, go on down this pipeline.
    /// </summary>
    private static void UseOnFirstRequestUnder(this IApplicationBuilder app, PathString path, Action<IApplicationBuilder> configure) =>
        app.Use(next =>
        {
            var branch = new Lazy<RequestDelegate>(() =>
            {
                var builder = app.New();
                configure(builder);
                builder.Run(next);
                return builder.Build();
            });
            return http => http.Request.Path.StartsWithSegments(path) ? branch.Value(http) : next(http);
        });
}
