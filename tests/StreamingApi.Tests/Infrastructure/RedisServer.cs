using System.Diagnostics;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// A real redis-server (Debian's package, which <c>scripts/test.sh</c> installs when missing) on a free loopback
/// port, with nothing saved to disk, started for a test and stopped (or killed mid-test, and started again) by it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public static readonly string Executable = Environment.GetEnvironmentVariable("REDIS_SERVER_PATH") ?? "/usr/bin/redis-server";

    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>An instance of the service that keeps its runs here, with a short lease and poll so that tests see other instances soon.</summary>
    public StreamingApiApplication Instance(StreamingApiApplication? app = null) => (app ?? new StreamingApiApplication())
        .With("Runs:Store", "redis")
        .With("ConnectionStrings:Redis", ConnectionString)
        .With("Redis:LeaseSeconds", "2")
        .With("Redis:PollSeconds", "0.2");

    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var server = new RedisServer(port ?? FreePort.Next());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts it (again): an empty Redis on the same port.</summary>
    public async Task RestartAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"redis-server is not at {Executable}: run the tests with scripts/test.sh, which installs it.");
        _process = Process.Start(new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await FreePort.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(15));
    }

    /// <summary>Kills it at once, as a crash or a lost network would.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
