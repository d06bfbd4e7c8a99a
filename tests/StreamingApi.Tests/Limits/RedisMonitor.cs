using System.Net.Sockets;
using System.Text;

namespace StreamingApi.Tests.Limits;

/// <summary>
/// Every command a redis-server executes, as its <c>MONITOR</c> prints them (one line each, in the order executed; a
/// script's own calls are marked <c>lua</c>), read on a connection of its own.
/// </summary>
internal sealed class RedisMonitor : IAsyncDisposable
{
    private readonly TcpClient _monitor = new();
    private readonly TcpClient _marks = new();
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private Task? _reading;

    public static async Task<RedisMonitor> StartAsync(int port)
    {
        var monitor = new RedisMonitor();
        await monitor._monitor.ConnectAsync("127.0.0.1", port);
        await monitor._marks.ConnectAsync("127.0.0.1", port);
        var reader = new StreamReader(monitor._monitor.GetStream(), Encoding.UTF8);
        await monitor._monitor.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
        Assert.Equal("+OK", await reader.ReadLineAsync());
        monitor._reading = Task.Run(async () =>
        {
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    lock (monitor._lines) monitor._lines.Add(line);
                    monitor._arrived.Release();
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // disposed, or the server is gone
            }
        });
        return monitor;
    }

    /// <summary>
    /// The commands clients sent (not a script's own calls) that were executed since the last call, up to a mark sent now:
    /// whatever was executed before this call is among them.
    /// </summary>
    public async Task<List<string>> ClientCommandsAsync()
    {
        var mark = Guid.NewGuid().ToString("N");
        await _marks.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"PING {mark}\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (_lines)
            {
                var at = _lines.FindIndex(line => line.Contains(mark, StringComparison.Ordinal));
                if (at >= 0)
                {
                    var commands = _lines.Take(at).Where(line => !line.Contains(" lua]", StringComparison.Ordinal)).ToList();
                    _lines.RemoveRange(0, at + 1);
                    return commands;
                }
            }
            await _arrived.WaitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _monitor.Dispose();
        _marks.Dispose();
        if (_reading is not null) await Task.WhenAny(_reading, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
