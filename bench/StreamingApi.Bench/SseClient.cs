using System.Buffers;
using System.Text;
using System.Text.Json;

namespace StreamingApi.Bench;

/// <summary>One SSE frame as the bench sees it: its event type and its data line.</summary>
public readonly record struct BenchFrame(string Event, string Data);

/// <summary>
/// A lean SSE reader for load: it splits the body on blank lines and hands each frame over, counting frames and
/// bytes, so that the client spends as little of the shared CPU as possible.
/// </summary>
public static class SseClient
{
    public static HttpClient CreateHttpClient(Uri address) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        BaseAddress = address,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Reads a whole stream; <paramref name="onFrame"/> (optional) sees each frame; returns frames and bytes.</summary>
    public static async Task<(long Frames, long Bytes)> ReadAsync(HttpClient http, string url, Func<BenchFrame, bool>? onFrame,
        CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var pending = new List<byte>();
        long frames = 0, bytes = 0;
        var previousWasNewline = false;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
                for (var i = 0; i < read; i++)
                {
                    var b = buffer[i];
                    if (onFrame is not null) pending.Add(b);
                    if (b == (byte)'\n')
                    {
                        if (previousWasNewline)
                        {
                            frames++;
                            if (onFrame is not null)
                            {
                                var keepGoing = onFrame(Parse(pending));
                                pending.Clear();
                                if (!keepGoing) return (frames, bytes);
                            }
                        }
                        previousWasNewline = true;
                    }
                    else
                    {
                        previousWasNewline = false;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (frames, bytes);
    }

    private static BenchFrame Parse(List<byte> frame)
    {
        var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frame));
        string type = "message", data = "";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
        return new BenchFrame(type, data);
    }

    public static DateTimeOffset StartedAt(BenchFrame run) =>
        JsonDocument.Parse(run.Data).RootElement.GetProperty("startedAt").GetDateTimeOffset();

    public static string Delta(BenchFrame text) =>
        JsonDocument.Parse(text.Data).RootElement.GetProperty("delta").GetString()!;
}
