using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamingApi.Bench;

/// <summary>A redis-server the bench starts on a free loopback port (nothing saved to disk), and its command count.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static bool IsInstalled => File.Exists("/usr/bin/redis-server");

    /// <summary>The CPU time the redis-server has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<RedisProcess> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server")
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var redis = new RedisProcess(process, port);
        for (var attempt = 0; attempt < 100 && await redis.CommandsProcessedAsync() < 0; attempt++) await Task.Delay(100);
        return redis;
    }

    /// <summary>Commands the server has processed so far (<c>INFO stats</c>), or -1 while it does not answer.</summary>
    public async Task<long> CommandsProcessedAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("INFO stats\r\n"u8.ToArray());
            var buffer = new byte[16 * 1024];
            var text = "";
            while (!text.Contains("total_commands_processed:") || !text.Contains("\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0) break;
                text += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                var at = text.IndexOf("total_commands_processed:", StringComparison.Ordinal);
                if (at >= 0 && text.IndexOf("\r\n", at, StringComparison.Ordinal) is var end and > 0)
                    return long.Parse(text[(at + "total_commands_processed:".Length)..end]);
            }
            return -1;
        }
        catch (SocketException)
        {
            return -1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
