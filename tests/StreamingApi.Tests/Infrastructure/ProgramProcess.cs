using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// The real program in a process of its own, as a user starts it (from the repository root, settings from the
/// environment), for what only a process shows: its exit code, what it prints, and how it takes a signal.
/// </summary>
public sealed partial class ProgramProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();
    private readonly Task _reading;
    private int _disposed;

    private ProgramProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(Pump(process.StandardOutput, _output), Pump(process.StandardError, _error));
    }

    public string Output => string.Join('\n', _output);

    public string Error => string.Join('\n', _error);

    public int Id => _process.Id;

    public static ProgramProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "StreamingApi.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = StreamingApiApplication.RepositoryRoot(),
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return new ProgramProcess(Process.Start(start)!);
    }

    /// <summary>Where it listens, once it says so.</summary>
    public async Task<Uri> WaitForAddressAsync()
    {
        Uri? address = null;
        await Eventually.TrueAsync(() =>
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"The program exited with {_process.ExitCode}: {Output}\n{Error}");
            address = _output.Select(line => Listening().Match(line)).FirstOrDefault(m => m.Success) is { } match ? new Uri(match.Groups[1].Value) : null;
            return address is not null;
        }, "the program listens", TimeSpan.FromSeconds(60));
        return address!;
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does to stop it.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        await _reading;
        return _process.ExitCode;
    }

    /// <summary>Kills it (when it still runs): no drain, no goodbye, as a crash would.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task Pump(StreamReader reader, ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line) lines.Enqueue(line);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
