using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.VercelUi;

/// <summary>
/// A run as the UI message stream protocol's response: our SSE writer (flushing, heartbeats, stalled readers) with
/// <see cref="UiMessageStreamMapping"/>, and the protocol's header. The response ends where the run starts to wait for
/// approvals (<see cref="UntilWaitingReader"/>); a run that asks a client without approvals for one is stopped.
/// </summary>
public sealed class UiMessageStream(IRunReader reader, UiMessageStreamOptions? options = null) : IResult, IEndpointMetadataProvider
{
    public const string HeaderName = "x-vercel-ai-ui-message-stream";
    public const string Version = "v1";

    /// <summary>An endpoint that returns this result streams UI message parts: OpenAPI reads that from its return type.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(UiPart), [RunEventStream.ContentType]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[HeaderName] = Version;
        var services = httpContext.RequestServices;
        var runId = reader.RunId;
        var mapping = new UiMessageStreamMapping(runId, options);
        var untilWaiting = new UntilWaitingReader(reader, mapping, (id, cancellationToken) => services.GetRequiredService<RunHost>().FindAsync(id, cancellationToken),
            services.GetService<TimeProvider>() ?? TimeProvider.System);
        await new RunEventStream(untilWaiting, mapping).ExecuteAsync(httpContext);
        // Nobody can decide for this client: the run does not wait for the approval timeout, it ends (cancelled, stopped).
        if (mapping.RefusedApproval) await services.GetRequiredService<RunHost>().CancelAsync(runId, CancellationToken.None);
    }
}
