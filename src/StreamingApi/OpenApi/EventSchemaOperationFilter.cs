using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using StreamingApi.Agents;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace StreamingApi.OpenApi;

/// <summary>
/// Points every operation that streams our events (a <c>text/event-stream</c> response of <see cref="AgentEvent"/>s) at
/// the event schema: an <c>x-event-schema</c> extension on the media type, and a line in the response's description. The
/// frontends' protocols stream other messages and are left alone.
/// </summary>
public sealed class EventSchemaOperationFilter : IOperationFilter
{
    public const string Extension = "x-event-schema";

    private const string EventStream = "text/event-stream";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var produced in context.ApiDescription.SupportedResponseTypes)
        {
            if (produced.Type != typeof(AgentEvent) || produced.ApiResponseFormats.All(f => f.MediaType != EventStream)) continue;
            if (operation.Responses is null || !operation.Responses.TryGetValue(produced.StatusCode.ToString(), out var answer) ||
                answer is not OpenApiResponse response || response.Content is null ||
                !response.Content.TryGetValue(EventStream, out var content) || content is not OpenApiMediaType media) continue;

            media.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            media.Extensions[Extension] = new JsonNodeExtension(JsonValue.Create(EventSchema.Path));
            response.Description = $"Server-Sent Events. A frame with event: <type> has data valid against {EventSchema.Path}#/$defs/<type> " +
                                   "(JSON Schema 2020-12, one schema per event type).";
        }
    }
}
