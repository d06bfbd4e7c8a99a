using System.Net;

namespace StreamingApi.Bench;

/// <summary>
/// A collector that accepts whatever OTLP/HTTP sends it (<c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>) and
/// keeps nothing but a count of the bytes: the exporter's work is measured, not a collector's.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private long _bytes;

    public OtlpSink()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Bytes of OTLP received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                var buffer = new byte[16384];
                int read;
                while ((read = await context.Request.InputStream.ReadAsync(buffer)) > 0) Interlocked.Add(ref _bytes, read);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
        _listener.Close();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
