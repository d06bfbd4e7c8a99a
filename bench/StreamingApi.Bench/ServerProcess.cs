using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamingApi.Bench;

/// <summary>
/// A server the bench starts itself on a loopback port (the service, or the baseline), with its CPU time, resident
/// memory and open sockets read from /proc. Over HTTP/1.1 and HTTP/2, or with <c>http2</c> over HTTP/2 only
/// (cleartext, prior knowledge: Kestrel's <c>Kestrel:EndpointDefaults:Protocols</c> set to <c>Http2</c>, a setting of
/// configuration that needs no code in the server). Stopped, with its children, when disposed.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address, bool http2)
    {
        _process = process;
        Address = address;
        Http2 = http2;
    }

    public Uri Address { get; }

    /// <summary>Whether the server speaks HTTP/2 only: its clients come from <see cref="SseClient.CreateHttpClient"/> with it.</summary>
    public bool Http2 { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(string fileName, string arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, bool http2 = false)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        if (http2) start.Environment["Kestrel__EndpointDefaults__Protocols"] = "Http2";

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), http2);
        using var http = SseClient.CreateHttpClient(server.Address, http2);
        http.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{fileName} {arguments} exited with {process.ExitCode}.");
            try
            {
                if ((await http.GetAsync("health")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"{fileName} {arguments} did not answer /health within 60 s.");
    }

    /// <summary>User plus system CPU time the server has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
    }

    /// <summary>Resident set size in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
    }

    /// <summary>
    /// The sockets the server holds open (its listening ones among them): a connection's each, so that over HTTP/2
    /// it shows how few connections carry the streams.
    /// </summary>
    public int? OpenSockets
    {
        get
        {
            try
            {
                return new DirectoryInfo($"/proc/{Pid}/fd").EnumerateFileSystemInfos().Count(IsSocket);
            }
            catch (IOException)
            {
                return null; // this process has no descriptor left to read the directory with
            }
        }
    }

    private static bool IsSocket(FileSystemInfo descriptor)
    {
        try
        {
            return descriptor.LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // closed while the others were counted
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (IOException)
            {
                _process.Kill(); // the tree is found in /proc, which needs a descriptor this process may not have left
            }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
