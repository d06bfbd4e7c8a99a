using System.Diagnostics;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// A real nginx (Debian's package, which <c>scripts/test.sh</c> installs when missing) as a reverse proxy in front of
/// the app, with its own configuration, files and port, started for one test and stopped after it.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    public static readonly string Executable = Environment.GetEnvironmentVariable("NGINX_PATH") ?? "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _directory;

    private Nginx(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Address { get; }

    /// <summary>Proxies to <paramref name="upstream"/>, cutting any response that is silent for <paramref name="readTimeout"/>.</summary>
    public static async Task<Nginx> StartAsync(Uri upstream, TimeSpan readTimeout)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"nginx is not at {Executable}: run the tests with scripts/test.sh, which installs it.");
        var directory = Directory.CreateTempSubdirectory("streamingapi-nginx-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111); // nginx's workers may run as another user
        var port = FreePort.Next();
        // No proxy_buffering setting: the app's X-Accel-Buffering: no header is what keeps the stream unbuffered.
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/client;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass {{upstream.GetLeftPart(UriPartial.Authority)}};
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_read_timeout {{(int)readTimeout.TotalMilliseconds}}ms;
                }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log"), "-g", "daemon off;" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var nginx = new Nginx(process, directory, port);
        try
        {
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(15));
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a worker still closing its files: the temporary folder is left for the system to clean
        }
    }
}
