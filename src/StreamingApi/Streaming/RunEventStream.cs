using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// Our SSE protocol on the wire: the one place where a run's events become frames (<c>id: runId:seq</c>,
/// <c>event: type</c>, <c>data: json</c>, and <c>retry:</c> on the first), formatted by
/// <see cref="SseFormatter"/>. An event's <c>data</c> is its JSON as made once, when it was appended to the run's log
/// (<see cref="RunEvent.Json"/>): copied, never serialized again, whether the event is live, replayed or read from
/// another instance's Redis stream. Frames go out as soon as no further event is waiting (several waiting frames share a
/// flush; none waits for a later one); its <see cref="StreamWatch"/> keeps a silent stream alive with heartbeats and
/// drops a client that takes nothing. A client that goes away is not an error. With an <see cref="IRunEventMapping"/>, the same writer speaks
/// another protocol: the mapping's messages go out as <c>data:</c>-only frames instead of ours.
/// </summary>
public sealed class RunEventStream(IRunReader reader, IRunEventMapping? mapping = null) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    /// <summary>An endpoint that returns this result streams our events: OpenAPI reads that from its return type.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AgentEvent), [ContentType]));

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>Flushes also in the middle of a burst, so that a fast run meets the socket's backpressure.</summary>
    private const int FlushThresholdBytes = 16 * 1024;

    /// <summary>The same, counted in frames, where the response cannot tell how much is unflushed.</summary>
    private const int FlushThresholdFrames = 128;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var _ = reader;
        var services = httpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<StreamingOptions>>().Value;
        var response = httpContext.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx and its kin: do not buffer
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Kestrel's minimum data rate would drop a slow reader after a few seconds; StalledReaderSeconds decides instead.
        if (httpContext.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate) rate.MinDataRate = null;

        var writer = new Writer(httpContext, reader, mapping, options, services.GetRequiredService<StreamingMetrics>(),
            services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions, services.GetRequiredService<StreamWatches>());
        try
        {
            await writer.WriteAsync();
        }
        catch (Exception) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or was dropped as stalled): the stream simply ends.
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>One response's writing loop.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly HttpContext _http;
        private readonly IRunReader _reader;
        private readonly IRunEventMapping? _mapping;
        private readonly List<object>? _mapped; // another protocol's messages for one event: made only for a mapping
        private readonly RunCatchUp? _catchUp; // what a mapping was given, for a snapshot the reader gives later
        private readonly PipeWriter _body;
        private readonly StreamingMetrics _metrics;
        private readonly JsonSerializerOptions _json;
        private readonly TimeSpan _retry;
        private readonly StreamWatch _watch;
        private Utf8JsonWriter? _jsonWriter;
        private bool _unflushed;
        private int _framesSinceFlush;

        public Writer(HttpContext http, IRunReader reader, IRunEventMapping? mapping, StreamingOptions options, StreamingMetrics metrics, JsonSerializerOptions json,
            StreamWatches watches)
        {
            _http = http;
            _reader = reader;
            _mapping = mapping;
            if (mapping is not null) (_mapped, _catchUp) = ([], new RunCatchUp());
            _body = http.Response.BodyWriter;
            _metrics = metrics;
            _json = json;
            _retry = TimeSpan.FromMilliseconds(Math.Max(0, options.RetryMs));
            _watch = watches.Watch(http, reader);
        }

        public Task WriteAsync() =>
            SseFormatter.WriteAsync(Frames(_http.RequestAborted), new PipeBufferStream(_body), Format, _http.RequestAborted);

        public void Dispose() => _watch.Dispose();

        /// <summary>
        /// The mapping's messages for one event. A snapshot after the first event (a reader on another instance that
        /// fell further behind than the run's stream keeps) is given to it as the events it stands for
        /// (<see cref="RunCatchUp"/>): another protocol has no message that replaces what its client has mid-run.
        /// </summary>
        private void Map(RunEvent entry)
        {
            var @event = entry.ToEvent(); // decoded once here; the mapping reads the same record
            if (@event is RunSnapshot later && _catchUp!.HasPassed)
            {
                foreach (var missed in _catchUp.Missed(later)) _mapping!.Map(new RunEvent(entry.Sequence, missed), _mapped!);
                return;
            }
            _catchUp!.Passed(@event);
            _mapping!.Map(new RunEvent(entry.Sequence, @event), _mapped!);
        }

        private async IAsyncEnumerable<SseItem<Payload>> Frames([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var first = true;
            var runId = _reader.RunId;
            while (true)
            {
                if (_reader.TryRead(out var entry))
                {
                    _metrics.EventWritten(entry.Type);
                    _unflushed = true;
                    if (_mapping is null)
                    {
                        // Its bytes when it has them; a snapshot or an event a reader made is serialized here.
                        var data = entry.Json.IsEmpty ? new Payload(default, entry.ToEvent()) : new Payload(entry.Json, null);
                        yield return new SseItem<Payload>(data, entry.Type)
                        {
                            EventId = LastEventId.Of(runId, entry.Sequence),
                            ReconnectionInterval = first ? _retry : null,
                        };
                    }
                    else
                    {
                        Map(entry);
                        foreach (var message in _mapped!) yield return new SseItem<Payload>(new Payload(default, message));
                        _mapped.Clear();
                    }
                    first = false;
                    var burstIsLong = _body.CanGetUnflushedBytes ? _body.UnflushedBytes >= FlushThresholdBytes : ++_framesSinceFlush >= FlushThresholdFrames;
                    if (burstIsLong && !await FlushAsync(cancellationToken)) yield break;
                    continue;
                }

                // Nothing more is waiting: what was written goes out now.
                if (!await FlushAsync(cancellationToken)) yield break;
                if (_watch.HeartbeatDue)
                {
                    _body.Write(KeepAlive);
                    _unflushed = true;
                    if (!await FlushAsync(cancellationToken)) yield break;
                }
                // A client that left ends the stream here, by returning: not by an exception thrown through every frame.
                var more = await _reader.WaitToReadAsync();
                if (cancellationToken.IsCancellationRequested) yield break;
                if (!more) break;
            }

            // The run has completed and every event was read: the mapping's last words go out now too.
            if (_mapping is null) yield break;
            _mapping.End(_mapped!);
            foreach (var message in _mapped!)
            {
                _unflushed = true;
                yield return new SseItem<Payload>(new Payload(default, message));
            }
            _mapped.Clear();
            await FlushAsync(cancellationToken);
        }

        /// <summary>Sends what was written; false when the client is gone (known before the flush, without an exception).</summary>
        private async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested) return false;
            if (!_unflushed) return true;
            _unflushed = false;
            _framesSinceFlush = 0;
            _watch.FlushStarting();
            var result = await _body.FlushAsync(cancellationToken);
            _watch.Flushed();
            return !result.IsCanceled && !result.IsCompleted;
        }

        private void Format(SseItem<Payload> item, IBufferWriter<byte> buffer)
        {
            var (json, message) = item.Data;
            if (message is null)
            {
                buffer.Write(json.Span); // the event's JSON as made when it was appended
                return;
            }
            if (message is string text)
            {
                Encoding.UTF8.GetBytes(text, buffer); // a protocol's literal, such as the UI message stream's [DONE]
                return;
            }
            if (_jsonWriter is null) _jsonWriter = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = _json.Encoder });
            else _jsonWriter.Reset(buffer);
            JsonSerializer.Serialize(_jsonWriter, message, message.GetType(), _json);
        }
    }

    /// <summary>
    /// A frame's <c>data</c>: JSON bytes to copy as they are, or, when <paramref name="Message"/> is set, an object to
    /// serialize (or a string to write). A struct, so that a frame of our protocol costs no object of its own.
    /// </summary>
    private readonly record struct Payload(ReadOnlyMemory<byte> Json, object? Message);
}
