using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.AgUi;

/// <summary>
/// A run as AG-UI's response: our SSE writer (flushing, heartbeats, stalled readers) with <see cref="AgUiMapping"/>.
/// <see cref="Empty"/> is a stream with no events: what <c>connect</c> gets when there is nothing to resume (the
/// client's HTTP helpers fail on a response without a body, but end quietly on a stream without events).
/// </summary>
public sealed class AgUiEventStream : IResult, IEndpointMetadataProvider
{
    private readonly IRunReader? _reader;
    private readonly AgUiMapping? _mapping;

    public AgUiEventStream(IRunReader reader, AgUiMapping mapping)
    {
        _reader = reader;
        _mapping = mapping;
    }

    private AgUiEventStream()
    {
    }

    public static AgUiEventStream Empty { get; } = new();

    /// <summary>An endpoint that returns this result streams AG-UI events: OpenAPI reads that from its return type.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AgUiEvent), [RunEventStream.ContentType]));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (_reader is not null) return new RunEventStream(_reader, _mapping).ExecuteAsync(httpContext);
        httpContext.Response.ContentType = RunEventStream.ContentType;
        httpContext.Response.Headers.CacheControl = "no-cache, no-store";
        return Task.CompletedTask;
    }
}
