using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// Our SSE protocol on the wire: the one place where a run's events become frames (<c>id: runId:seq</c>,
/// <c>event: type</c>, <c>data: json</c>, and <c>retry:</c> on the first), formatted by
/// <see cref="SseFormatter"/>. Frames go out as soon as no further event is waiting (several waiting frames share a
/// flush; none waits for a later one); a <c>: keep-alive</c> comment goes out when nothing was written for
/// <c>Streaming:HeartbeatSeconds</c>; a client that takes nothing for <c>Streaming:StalledReaderSeconds</c> is
/// dropped. A client that goes away is not an error. With an <see cref="IRunEventMapping"/>, the same writer speaks
/// another protocol: the mapping's messages go out as <c>data:</c>-only frames instead of ours.
/// </summary>
public sealed class RunEventStream(IRunReader reader, IRunEventMapping? mapping = null) : IResult
{
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
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx and its kin: do not buffer
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Kestrel's minimum data rate would drop a slow reader after a few seconds; StalledReaderSeconds decides instead.
        if (httpContext.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate) rate.MinDataRate = null;

        var writer = new Writer(httpContext, reader, mapping, options, services.GetRequiredService<StreamingMetrics>(),
            services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions, services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RunEventStream>>());
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

    /// <summary>One response's writing loop, and the watch that keeps it alive or drops it.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly HttpContext _http;
        private readonly IRunReader _reader;
        private readonly IRunEventMapping? _mapping;
        private readonly List<object> _mapped = [];
        private readonly PipeWriter _body;
        private readonly StreamingMetrics _metrics;
        private readonly JsonSerializerOptions _json;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly TimeSpan _retry;
        private readonly long _heartbeatTicks;
        private readonly long _stalledTicks;
        private readonly ITimer? _watch;
        private Utf8JsonWriter? _jsonWriter;
        private long _lastWrite;
        private long _flushingSince;
        private bool _unflushed;
        private int _framesSinceFlush;
        private int _dropped;

        public Writer(HttpContext http, IRunReader reader, IRunEventMapping? mapping, StreamingOptions options, StreamingMetrics metrics, JsonSerializerOptions json,
            TimeProvider time, ILogger logger)
        {
            _http = http;
            _reader = reader;
            _mapping = mapping;
            _body = http.Response.BodyWriter;
            _metrics = metrics;
            _json = json;
            _time = time;
            _logger = logger;
            _retry = TimeSpan.FromMilliseconds(Math.Max(0, options.RetryMs));
            _heartbeatTicks = (long)(Math.Max(0, options.HeartbeatSeconds) * time.TimestampFrequency);
            _stalledTicks = (long)(Math.Max(0, options.StalledReaderSeconds) * time.TimestampFrequency);
            _lastWrite = time.GetTimestamp();
            // The shorter of the two periods that are on (a period of 0 or less is off).
            var shortest = options.HeartbeatSeconds > 0 && options.StalledReaderSeconds > 0
                ? Math.Min(options.HeartbeatSeconds, options.StalledReaderSeconds)
                : Math.Max(options.HeartbeatSeconds, options.StalledReaderSeconds);
            if (shortest > 0)
            {
                var tick = TimeSpan.FromSeconds(Math.Clamp(shortest / 4, 0.05, 5));
                _watch = time.CreateTimer(static state => ((Writer)state!).Watch(), this, tick, tick);
            }
        }

        public Task WriteAsync() =>
            SseFormatter.WriteAsync(Frames(_http.RequestAborted), new PipeBufferStream(_body), Format, _http.RequestAborted);

        public void Dispose() => _watch?.Dispose();

        private async IAsyncEnumerable<SseItem<object>> Frames([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var first = true;
            var runId = _reader.RunId;
            while (true)
            {
                if (_reader.TryRead(out var entry))
                {
                    _metrics.EventWritten(entry.Event.EventType);
                    _unflushed = true;
                    if (_mapping is null)
                    {
                        yield return new SseItem<object>(entry.Event, entry.Event.EventType)
                        {
                            EventId = $"{runId}:{entry.Sequence}",
                            ReconnectionInterval = first ? _retry : null,
                        };
                    }
                    else
                    {
                        _mapping.Map(entry, _mapped);
                        foreach (var message in _mapped) yield return new SseItem<object>(message);
                        _mapped.Clear();
                    }
                    first = false;
                    var burstIsLong = _body.CanGetUnflushedBytes ? _body.UnflushedBytes >= FlushThresholdBytes : ++_framesSinceFlush >= FlushThresholdFrames;
                    if (burstIsLong && !await FlushAsync(cancellationToken)) yield break;
                    continue;
                }

                // Nothing more is waiting: what was written goes out now.
                if (!await FlushAsync(cancellationToken)) yield break;
                if (_heartbeatTicks > 0 && _time.GetTimestamp() - Volatile.Read(ref _lastWrite) >= _heartbeatTicks)
                {
                    _body.Write(KeepAlive);
                    _unflushed = true;
                    if (!await FlushAsync(cancellationToken)) yield break;
                }
                if (!await _reader.WaitToReadAsync()) break;
            }

            // The run has completed and every event was read: the mapping's last words go out now too.
            if (_mapping is null) yield break;
            _mapping.End(_mapped);
            foreach (var message in _mapped)
            {
                _unflushed = true;
                yield return new SseItem<object>(message);
            }
            _mapped.Clear();
            await FlushAsync(cancellationToken);
        }

        /// <summary>Sends what was written; false when the client is gone.</summary>
        private async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
        {
            if (!_unflushed) return true;
            _unflushed = false;
            _framesSinceFlush = 0;
            Volatile.Write(ref _flushingSince, _time.GetTimestamp());
            var result = await _body.FlushAsync(cancellationToken);
            Volatile.Write(ref _flushingSince, 0);
            Volatile.Write(ref _lastWrite, _time.GetTimestamp());
            return !result.IsCanceled && !result.IsCompleted;
        }

        private void Format(SseItem<object> item, IBufferWriter<byte> buffer)
        {
            if (item.Data is string text)
            {
                Encoding.UTF8.GetBytes(text, buffer); // a protocol's literal, such as the UI message stream's [DONE]
                return;
            }
            if (_jsonWriter is null) _jsonWriter = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = _json.Encoder });
            else _jsonWriter.Reset(buffer);
            JsonSerializer.Serialize(_jsonWriter, item.Data, item.Data.GetType(), _json);
        }

        /// <summary>On the watch's timer: drops a reader stuck in a flush; wakes an idle one for its heartbeat.</summary>
        private void Watch()
        {
            var now = _time.GetTimestamp();
            var flushingSince = Volatile.Read(ref _flushingSince);
            if (flushingSince != 0)
            {
                if (_stalledTicks > 0 && now - flushingSince >= _stalledTicks && Interlocked.Exchange(ref _dropped, 1) == 0)
                {
                    StreamLogMessages.StalledReaderDropped(_logger, _reader.RunId, (now - flushingSince) / (double)_time.TimestampFrequency);
                    _http.Abort();
                }
                return;
            }
            if (_heartbeatTicks > 0 && now - Volatile.Read(ref _lastWrite) >= _heartbeatTicks) _reader.Interrupt();
        }
    }

    /// <summary>
    /// Lets <see cref="SseFormatter"/> write frames into the response's pipe without flushing each: the writer above
    /// decides when to flush.
    /// </summary>
    private sealed class PipeBufferStream(PipeWriter pipe) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer) => pipe.Write(buffer);

        public override void Write(byte[] buffer, int offset, int count) => pipe.Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            pipe.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            pipe.Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
