using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on loopback in front of the app, whose connections a test can cut, as a network that fails would:
/// the product sees a real broken connection, and a browser behind it really reconnects.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly ConcurrentDictionary<Socket, Socket> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public TcpProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>How many connections were made through the proxy so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Cuts every open connection at once (a reset, not a polite close).</summary>
    public void DropAll()
    {
        foreach (var (client, server) in _pairs)
        {
            Reset(client);
            Reset(server);
        }
        _pairs.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            client.NoDelay = true;
            _pairs[client] = server;
            Interlocked.Increment(ref _connections);
            _ = Task.WhenAll(PipeAsync(client, server), PipeAsync(server, client)).ContinueWith(_ =>
            {
                if (_pairs.TryRemove(client, out Socket? _))
                {
                    client.Dispose();
                    server.Dispose();
                }
            }, TaskScheduler.Default);
        }
    }

    private static async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) break;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // cut
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
