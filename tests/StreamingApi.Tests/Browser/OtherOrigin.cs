using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// A second site on its own loopback port: it serves one empty page to every request, so that a browser has a page
/// on another origin than the app's, whose scripts call the app as a frontend hosted elsewhere would.
/// </summary>
public sealed class OtherOrigin : IAsyncDisposable
{
    private const string Page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>another site</title></head><body></body></html>";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private OtherOrigin()
    {
        _listener.Start();
        Origin = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _serving = ServeAsync(_stop.Token);
    }

    /// <summary>The site's origin, as a browser sends it in <c>Origin</c>: <c>http://127.0.0.1:port</c>.</summary>
    public string Origin { get; }

    public static OtherOrigin Start() => new();

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(cancellationToken);
                _ = AnswerAsync(client, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads the request's head and answers with the page; one request per connection.</summary>
    private static async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0) return;
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            var body = Encoding.UTF8.GetBytes(Page);
            var response = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(response, cancellationToken);
            await stream.WriteAsync(body, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
        {
            // The browser left, or the site is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}
