using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.VercelUi;

/// <summary>
/// A run as the UI message stream protocol's response: our SSE writer (flushing, heartbeats, stalled readers) with
/// <see cref="UiMessageStreamMapping"/>, and the protocol's header.
/// </summary>
public sealed class UiMessageStream(IRunReader reader) : IResult, IEndpointMetadataProvider
{
    public const string HeaderName = "x-vercel-ai-ui-message-stream";
    public const string Version = "v1";

    /// <summary>An endpoint that returns this result streams UI message parts: OpenAPI reads that from its return type.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(UiPart), [RunEventStream.ContentType]));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[HeaderName] = Version;
        return new RunEventStream(reader, new UiMessageStreamMapping(reader.RunId)).ExecuteAsync(httpContext);
    }
}
