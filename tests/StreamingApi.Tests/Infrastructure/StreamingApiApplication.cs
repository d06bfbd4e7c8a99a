using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using StreamingApi.Runs;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// The app under test on a real Kestrel socket (loopback, a free port), with the tools' delays and the offline
/// model's pace at 0 unless a test asks otherwise, and every log event captured.
/// </summary>
public sealed class StreamingApiApplication : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["OfflineModel:TokensPerSecond"] = "0",
        ["OfflineModel:FirstTokenDelayMs"] = "0",
        ["Tools:SalesDelayMs"] = "0",
        ["Tools:CustomerDelayMs"] = "0",
        ["Tools:GrowthDelayMs"] = "0",
        ["Tools:InventoryDelayMs"] = "0",
        // A client that leaves stops its run at once unless a test gives the grace period it is about; a host being
        // disposed with runs still going does not wait long for them.
        ["Runs:DetachGraceSeconds"] = "0",
        ["Runs:DrainSeconds"] = "1",
        // Every test client is one caller (127.0.0.1): the limits' own tests set the limits they are about.
        ["RateLimits:RunsPerMinute"] = "100000",
        ["RateLimits:ConcurrentRuns"] = "100000",
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public StreamingApiApplication(bool kestrel = true)
    {
        // Listen() rather than UseKestrel(0): the factory's own port handling races with the app's start-up.
        if (kestrel) UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public LogCapture Logs { get; } = new();

    public RunHost Runs => Services.GetRequiredService<RunHost>();

    public MemoryRunStore Store => Services.GetRequiredService<MemoryRunStore>();

    /// <summary>Where the real Kestrel socket listens (starts the app if needed).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        }
    }

    /// <summary>
    /// A client on its own sockets that drops a connection whose response it stops reading, as a browser losing its
    /// network would (HttpClient otherwise drains the rest to reuse the connection). A small receive buffer makes a
    /// client that stops reading fill up quickly.
    /// </summary>
    public HttpClient CreateSocketClient(int? receiveBufferBytes = null)
    {
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (receiveBufferBytes is { } size)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                {
                    ReceiveBufferSize = size,
                    NoDelay = true,
                };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        }
        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public StreamingApiApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public StreamingApiApplication WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>
    /// The server's connections get a send buffer of this size, which the kernel no longer grows (it otherwise takes
    /// megabytes on loopback): a client that stops reading stalls the server's writes after kilobytes.
    /// </summary>
    public StreamingApiApplication WithSendBuffer(int bytes) => WithServices(services =>
        services.Configure<SocketTransportOptions>(options => options.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = bytes; // accepted connections inherit it
            return socket;
        }));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepositoryRoot());
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            foreach (var configure in _services) configure(services);
        });
    }

    /// <summary>Waits (bounded) until no run is active: proves nothing outlived its stream.</summary>
    public Task WaitForNoActiveRunsAsync(TimeSpan? within = null) =>
        Eventually.TrueAsync(() => Runs.ActiveCount == 0, "every run has ended", within);

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "StreamingApi.sln"))) return directory.FullName;
        throw new InvalidOperationException("StreamingApi.sln not found above the test output folder.");
    }
}
