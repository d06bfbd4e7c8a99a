using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;

namespace StreamingApi.Bench;

/// <summary>Sees one SSE frame (its raw bytes, without the blank line); returns false to stop reading.</summary>
public delegate bool FrameHandler(ReadOnlySpan<byte> frame);

/// <summary>
/// A lean SSE reader for load: it splits the body on blank lines with a vectorised search and hands each frame
/// over as bytes, so that the client, on the same 2 cores as the server, spends as little CPU as it can.
/// </summary>
public static class SseClient
{
    private static readonly string[] KnownEvents = ["run", "text", "reasoning", "tool-call", "tool-result", "partial", "result", "progress", "error", "done"];
    private static readonly byte[][] KnownPrefixes = KnownEvents.Select(e => Encoding.UTF8.GetBytes($"event: {e}\n")).ToArray();

    /// <summary>
    /// A client for load on <paramref name="address"/>: a connection per concurrent request over HTTP/1.1, or with
    /// <paramref name="http2"/> HTTP/2 over cleartext with prior knowledge (h2c, as a server speaking HTTP/2 only
    /// expects), many streams multiplexed on each connection and a further connection whenever the server's
    /// <c>SETTINGS_MAX_CONCURRENT_STREAMS</c> (Kestrel's default: 100) are all in use.
    /// </summary>
    public static HttpClient CreateHttpClient(Uri address, bool http2 = false) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        EnableMultipleHttp2Connections = http2,
    })
    {
        BaseAddress = address,
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
        DefaultVersionPolicy = http2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>
    /// Reads a whole stream; <paramref name="onFrame"/> (optional) sees each frame; returns frames and bytes.
    /// <paramref name="bufferSize"/> is the read buffer's first size (it grows for a larger frame): large for
    /// throughput, small where thousands of streams are held at once and each keeps its buffer while it waits.
    /// </summary>
    public static async Task<(long Frames, long Bytes)> ReadAsync(HttpClient http, string url, FrameHandler? onFrame,
        CancellationToken cancellationToken, int bufferSize = 16 * 1024)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        var filled = 0;
        long frames = 0, bytes = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) return (frames, bytes);
                bytes += read;
                filled += read;

                var start = 0;
                int end;
                while ((end = buffer.AsSpan(start, filled - start).IndexOf("\n\n"u8)) >= 0)
                {
                    frames++;
                    if (onFrame is not null && !onFrame(buffer.AsSpan(start, end + 1))) return (frames, bytes);
                    start += end + 2;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The frame's event type, without allocating for the protocol's known types.</summary>
    public static string EventOf(ReadOnlySpan<byte> frame)
    {
        for (var i = 0; i < KnownPrefixes.Length; i++)
            if (frame.IndexOf(KnownPrefixes[i]) >= 0) return KnownEvents[i];
        return "message";
    }

    public static string DataOf(ReadOnlySpan<byte> frame)
    {
        var at = frame.IndexOf("data: "u8);
        if (at < 0) return "";
        var data = frame[(at + 6)..];
        var end = data.IndexOf((byte)'\n');
        return Encoding.UTF8.GetString(end >= 0 ? data[..end] : data);
    }

    public static DateTimeOffset StartedAt(ReadOnlySpan<byte> run) =>
        JsonDocument.Parse(DataOf(run)).RootElement.GetProperty("startedAt").GetDateTimeOffset();

    public static string Delta(ReadOnlySpan<byte> text) =>
        JsonDocument.Parse(DataOf(text)).RootElement.GetProperty("delta").GetString()!;
}
