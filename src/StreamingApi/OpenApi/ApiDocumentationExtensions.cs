using Microsoft.OpenApi;

namespace StreamingApi.OpenApi;

public static class ApiDocumentationExtensions
{
    /// <summary>Swagger (OpenAPI) for every endpoint; SSE endpoints are documented as <c>text/event-stream</c>.</summary>
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "StreamingApi",
                Version = "v1",
                Description = "An AI agent's work streamed over Server-Sent Events: text, tool calls, progress, structured results.",
            });
        });
        return services;
    }

    /// <summary>
    /// The document at <c>/swagger/v1/swagger.json</c> and its UI at <c>/swagger</c>. The document is an endpoint rather
    /// than a middleware, so that a stream's request does not pass through it (and keep it waiting while it streams).
    /// </summary>
    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.MapSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "StreamingApi");
        return app;
    }
}
