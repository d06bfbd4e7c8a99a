using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;

namespace Conformance;

/// <summary>One frame as a spec-compliant client sees it, with the moment it arrived.</summary>
internal sealed record Frame(string Type, string? Id, string Data, long ArrivedAt)
{
    public override string ToString() => $"{Id ?? "(no id)"} {Type}";
}

/// <summary>
/// A response read as an SSE stream: the frames <see cref="SseParser"/> (System.Net.ServerSentEvents) makes of it, and
/// the raw bytes it read them from, which the framing rules look at.
/// </summary>
/// <param name="Ended">The server closed the stream (rather than the reader dropping it, or giving up).</param>
/// <param name="Dropped">The reader dropped the connection after the frames it wanted.</param>
/// <param name="Failure">Why reading stopped early: a time-out or a broken connection.</param>
internal sealed record EventStream(
    string Request,
    HttpStatusCode Status,
    string? MediaType,
    byte[] Body,
    IReadOnlyList<Frame> Frames,
    bool Ended,
    bool Dropped,
    string? Failure)
{
    public bool IsEventStream => Status == HttpStatusCode.OK && MediaType == "text/event-stream";
}

internal static class EventStreamReader
{
    /// <summary>How long a stream may stay open after its <c>done</c>.</summary>
    private static readonly TimeSpan CloseAfterDone = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends <paramref name="request"/> and reads its answer: to the stream's end, or until <paramref name="dropAfter"/>
    /// frames came (then the connection is dropped, as a client losing its network would), or until
    /// <paramref name="timeout"/>. <paramref name="onFrame"/> sees each frame as it arrives.
    /// </summary>
    public static async Task<EventStream> ReadAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, int? dropAfter = null,
        Action<Frame>? onFrame = null)
    {
        var described = Describe(request);
        using var giveUp = new CancellationTokenSource(timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, giveUp.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return new EventStream(described, 0, null, [], [], false, false, $"no answer: {Reason(e, timeout)}");
        }

        using (response)
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStreamAsync(giveUp.Token);
            var recording = new RecordingStream(body);
            var frames = new List<Frame>();
            if (response.StatusCode != HttpStatusCode.OK || mediaType != "text/event-stream")
            {
                try
                {
                    await recording.CopyToAsync(Stream.Null, giveUp.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    return new EventStream(described, response.StatusCode, mediaType, recording.ToArray(), frames, false, false, Reason(e, timeout));
                }
                return new EventStream(described, response.StatusCode, mediaType, recording.ToArray(), frames, true, false, null);
            }

            try
            {
                await foreach (var item in SseParser.Create(recording).EnumerateAsync(giveUp.Token))
                {
                    var frame = new Frame(item.EventType, item.EventId, item.Data, Stopwatch.GetTimestamp());
                    frames.Add(frame);
                    onFrame?.Invoke(frame);
                    if (frames.Count == dropAfter)
                        return new EventStream(described, response.StatusCode, mediaType, recording.ToArray(), frames, false, true, null);
                    if (frame.Type == "done") giveUp.CancelAfter(CloseAfterDone);
                }
                return new EventStream(described, response.StatusCode, mediaType, recording.ToArray(), frames, true, false, null);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                var reason = frames.Any(f => f.Type == "done") && e is OperationCanceledException
                    ? $"the stream stayed open more than {CloseAfterDone.TotalSeconds:0} s after done"
                    : Reason(e, timeout);
                return new EventStream(described, response.StatusCode, mediaType, recording.ToArray(), frames, false, false, reason);
            }
        }
    }

    public static string Describe(HttpRequestMessage request)
    {
        var uri = request.RequestUri;
        var text = $"{request.Method} {(uri is null ? "" : uri.IsAbsoluteUri ? uri.PathAndQuery : "/" + uri.OriginalString.TrimStart('/'))}";
        return request.Headers.TryGetValues("Last-Event-ID", out var ids) ? $"{text} (Last-Event-ID: {string.Join(",", ids)})" : text;
    }

    private static string Reason(Exception e, TimeSpan timeout) =>
        e is OperationCanceledException ? $"no end within {timeout.TotalSeconds:0} s" : e.Message;

    /// <summary>Keeps a copy of every byte read through it.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _copy = new();

        public byte[] ToArray() => _copy.ToArray();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _copy.Write(buffer[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _copy.Write(buffer.Span[..read]);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
