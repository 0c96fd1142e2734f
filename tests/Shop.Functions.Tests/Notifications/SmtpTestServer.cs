using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MimeKit;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Notifications;

/// <summary>
/// A real SMTP server for the e-mail tests: <c>tests/node-tools/smtp-test-server.cjs</c> (npm <c>smtp-server</c>, pinned)
/// as a child process on a free port of 127.0.0.1, without TLS. Recipients script its answers (<c>tempfail-N.*</c>: 451
/// for the first N tries, <c>reject.*</c>: 550); with a user and password it requires AUTH. Each message it accepts is
/// read back here, parsed by MimeKit.
/// </summary>
internal sealed class SmtpTestServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly StringBuilder _stderr = new();

    private SmtpTestServer(Process process) => _process = process;

    public int Port { get; private set; }

    /// <summary>A message as the server got it: the AUTH user, the envelope, and the message parsed by MimeKit.</summary>
    public sealed record Received(string? User, string MailFrom, IReadOnlyList<string> RcptTo, MimeMessage Message, string Raw);

    public static async Task<SmtpTestServer> StartAsync(string? user = null, string? password = null)
    {
        await NodeTools.EnsureInstalledAsync();
        var startInfo = new ProcessStartInfo(NodeTools.Node)
        {
            WorkingDirectory = NodeTools.Directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add("smtp-test-server.cjs");
        startInfo.Environment["SMTP_USER"] = user ?? string.Empty;
        startInfo.Environment["SMTP_PASSWORD"] = password ?? string.Empty;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node smtp-test-server.cjs.");
        var server = new SmtpTestServer(process);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (server._stderr)
            {
                server._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        _ = Task.Run(() => server.ReadOutputAsync(listening));
        try
        {
            server.Port = await listening.Task.WaitAsync(StartTimeout);
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"smtp-test-server.cjs did not start: {server.Stderr}", ex);
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The next message the server accepted. The wait only bounds a test that went wrong (nothing arrives).</summary>
    public async Task<Received> NextAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(bound.Token);
    }

    /// <summary>Messages accepted and not yet read with <see cref="NextAsync"/>. A sent message is printed before the server answers DATA, so it is here once the client's send returned.</summary>
    public async Task<IReadOnlyList<Received>> DrainAsync()
    {
        // The reader thread may still be parsing the last line: give it the moment a line takes.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var all = new List<Received>();
        while (_received.Reader.TryRead(out var message))
        {
            all.Add(message);
        }

        return all;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the script exits when its stdin ends
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task ReadOutputAsync(TaskCompletionSource<int> listening)
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.TryGetProperty("port", out var port))
                {
                    listening.TrySetResult(port.GetInt32());
                    continue;
                }

                var raw = Convert.FromBase64String(root.GetProperty("raw").GetString()!);
                using var stream = new MemoryStream(raw);
                var message = await MimeMessage.LoadAsync(stream);
                await _received.Writer.WriteAsync(new Received(
                    root.GetProperty("user").GetString(),
                    root.GetProperty("mailFrom").GetString()!,
                    root.GetProperty("rcptTo").EnumerateArray().Select(r => r.GetString()!).ToList(),
                    message,
                    Encoding.UTF8.GetString(raw)));
            }

            listening.TrySetException(new InvalidOperationException("smtp-test-server.cjs exited."));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException or InvalidOperationException)
        {
            listening.TrySetException(ex);
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
