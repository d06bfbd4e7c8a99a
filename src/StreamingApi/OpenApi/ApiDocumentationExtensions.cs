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
    /// not pass through it (and keep it waiting while it streams).
    /// </summary>
    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.MapSwagger();
        app.MapGet(EventSchema.Path, (EventSchema schema) => TypedResults.Text(schema.Text, "application/schema+json"))
            .WithName("EventSchema")
            .WithSummary("The JSON Schema (2020-12) of every SSE event's data, one schema per event type under $defs.")
            .WithTags("Documentation");
        app.UseSwaggerUI(options => options.DocumentTitle = "StreamingApi");
        return app;
    }
}
