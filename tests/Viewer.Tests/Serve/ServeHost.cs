// Runs `vgpuview serve` in-process for a test and tells where it listens.
using System.Text;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>
/// A server for one test: started on its own thread with captured output, stopped by
/// cancellation (as SIGTERM stops it) when disposed; every wait is bounded.
/// </summary>
internal sealed class ServeHost : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly LineWriter _output = new();
    private readonly LineWriter _error = new();
    private readonly Thread _thread;
    private int? _exit;

    private ServeHost(Func<CommandContext, int> run)
    {
        var context = new CommandContext
        {
            Output = _output,
            Error = _error,
            Opener = DeviceOpener.FromEnvironment(),
            Cancellation = _stop.Token,
        };
        _thread = new Thread(() =>
        {
            int code;
            try
            {
                code = run(context);
            }
            catch (Exception e)
            {
                code = ViewerCommandLine.ReportException(e, _error);
            }

            lock (_output)
            {
                _exit = code;
            }

            _output.Signal();
        })
        { IsBackground = true, Name = "test serve" };
        _thread.Start();
    }

    /// <summary>Runs the command line "serve ARGS..." (without "serve").</summary>
    public static ServeHost Cli(params string[] args) => new(context => ViewerCommandLine.Run(["serve", .. args], context));

    /// <summary>Runs the handler with options the command line does not expose (short timeouts).</summary>
    public static ServeHost Handler(ServeOptions options) => new(context => new ServeHandler(context).Run(options));

    public string Output => _output.Text;

    public string Error => _error.Text;

    public int? ExitCode
    {
        get
        {
            lock (_output)
            {
                return _exit;
            }
        }
    }

    /// <summary>Waits for the "rfb ..." line and returns what follows; fails with the server's errors if it exits first.</summary>
    public string WaitListening(string prefix = "rfb ")
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            string? line = _output.Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line[prefix.Length..];
            }

            if (ExitCode is int code)
            {
                Assert.Fail($"serve exited with {code} before listening: {Error}");
            }

            _output.Wait(200);
        }

        Assert.Fail($"serve did not say where it listens within 60 s: {Error}");
        return string.Empty;
    }

    /// <summary>Waits for the server to exit by itself; its exit code, or null after the timeout.</summary>
    public int? WaitExit(TimeSpan timeout) => _thread.Join(timeout) ? ExitCode : null;

    /// <summary>Waits until standard error has a line containing <paramref name="text"/>.</summary>
    public bool WaitError(string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Error.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            _error.Wait(100);
        }

        return Error.Contains(text, StringComparison.Ordinal);
    }

    /// <summary>Stops the server as SIGTERM does and returns its exit code.</summary>
    public int? Stop()
    {
        _stop.Cancel();
        return WaitExit(TimeSpan.FromSeconds(20));
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    /// <summary>A TextWriter that other threads can read line by line while it is written.</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly SemaphoreSlim _written = new(0);

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }

            if (value == '\n')
            {
                Signal();
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }

            if (value?.Contains('\n') == true)
            {
                Signal();
            }
        }

        public void Signal() => _written.Release();

        public void Wait(int ms) => _written.Wait(ms);
    }
}
