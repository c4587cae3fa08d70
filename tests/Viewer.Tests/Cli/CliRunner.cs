using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Tests.Cli;

/// <summary>Runs the vgpuview command line in-process with captured output.</summary>
internal sealed class CliRunner
{
    public CliRunner(IDeviceOpener? opener = null, CancellationToken cancellation = default)
    {
        Opener = opener ?? DeviceOpener.FromEnvironment();
        Cancellation = cancellation;
    }

    public IDeviceOpener Opener { get; }

    public CancellationToken Cancellation { get; }

    public StringWriter Output { get; } = new();

    public StringWriter Error { get; } = new();

    public MemoryStream StandardOutput { get; } = new();

    public int Run(params string[] args)
    {
        var context = new CommandContext
        {
            Output = Output,
            Error = Error,
            Opener = Opener,
            Cancellation = Cancellation,
            OpenStandardOutput = () => new NonClosingStream(StandardOutput),
        };
        return ViewerCommandLine.Run(args, context);
    }

    /// <summary>Lets a handler dispose "stdout" without losing what it wrote.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
