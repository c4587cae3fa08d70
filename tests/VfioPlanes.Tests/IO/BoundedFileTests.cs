using System.Diagnostics;
using System.Net.Sockets;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.IO;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.IO;

public sealed class BoundedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-bounded-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public void Dispose()
    {
        // Closing a bound socket removes its file, so it stays open for the test.
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Path_(string name) => Path.Combine(_dir, name);

    [Fact]
    public void ReadAll_FollowsLinks_ToTheFileTheyName()
    {
        File.WriteAllBytes(Path_("a"), [1, 2, 3]);
        File.CreateSymbolicLink(Path_("l1"), "a");
        File.CreateSymbolicLink(Path_("l2"), "l1");

        Assert.Equal([1, 2, 3], BoundedFile.ReadAll(Path_("l2"), 10, "test file", TestContext.Current.CancellationToken));
        Assert.Equal(new FileFacts(true, 3, "regular file"), BoundedFile.Inspect(Path_("l2"), "test file"));
    }

    public static TheoryData<string, string> WrongKinds => new()
    {
        { "missing", "test file '{p}' does not exist" },
        { "dangling", "test file '{p}' is a symbolic link to 'nowhere', which does not exist" },
        { "loop", "test file '{p}' is a loop of symbolic links" },
        { "dir", "test file '{p}' is a directory, not a file" },
        { "socket", "test file '{p}' is a socket, not a file" },
        { "under-file", "test file '{p}' does not exist: a part of the path before the file name is not a directory" },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void ThePathsThatAreNoFile_AreNamedForWhatTheyAre(string kind, string message)
    {
        string path = Path_(kind);
        switch (kind)
        {
            case "dangling":
                File.CreateSymbolicLink(path, "nowhere");
                break;
            case "loop":
                File.CreateSymbolicLink(path, "loop2");
                File.CreateSymbolicLink(Path_("loop2"), "loop");
                break;
            case "dir":
                Directory.CreateDirectory(path);
                break;
            case "socket":
                _socket.Bind(new UnixDomainSocketEndPoint(path));
                break;
            case "under-file":
                File.WriteAllBytes(Path_("f"), []);
                path = Path_("f/x");
                break;
        }

        string expected = message.Replace("{p}", path, StringComparison.Ordinal);
        Assert.Equal(expected, Assert.Throws<InputException>(() => BoundedFile.ReadAll(path, 10, "test file", TestContext.Current.CancellationToken)).Message);
        Assert.Equal(expected, Assert.Throws<InputException>(() => BoundedFile.Inspect(path, "test file")).Message);
    }

    [Fact]
    public void ADeviceThatNeverEnds_IsCutAtTheLimit_NamingIt()
    {
        var e = Assert.Throws<InputTooLargeException>(() => BoundedFile.ReadAll("/dev/zero", 1000, "test file", TestContext.Current.CancellationToken));
        Assert.Equal("test file '/dev/zero' is larger than the limit of 1000 bytes", e.Message);
        Assert.Equal(1000, e.Limit);
    }

    [Fact]
    public void ARegularFileOverTheLimit_SaysItsSize()
    {
        File.WriteAllBytes(Path_("big"), new byte[2048]);
        var e = Assert.Throws<InputTooLargeException>(() => BoundedFile.ReadAll(Path_("big"), 1024, "test file", TestContext.Current.CancellationToken));
        Assert.Equal($"test file '{Path_("big")}' is larger than the limit of 1 KiB (2048 bytes)", e.Message);
    }

    [Fact]
    public void ASysfsAttribute_IsReadForWhatItHolds_NotItsStatSize()
    {
        // sysfs reports 4096 bytes for every attribute; a read gives the few it holds.
        string attribute = "/sys/kernel/mm/transparent_hugepage/enabled";
        Requires.That(File.Exists(attribute), attribute);
        byte[] bytes = BoundedFile.ReadAll(attribute, 4096, "test file", TestContext.Current.CancellationToken);
        Assert.InRange(bytes.Length, 1, 200);
        Assert.Equal(File.ReadAllText(attribute), System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void ReadInto_ReadsNoMoreThanItNeeds()
    {
        byte[] buffer = new byte[100];
        Assert.Equal(100, BoundedFile.ReadInto("/dev/zero", buffer, "raw file", TestContext.Current.CancellationToken));
        File.WriteAllBytes(Path_("short"), [9, 9]);
        Assert.Equal(2, BoundedFile.ReadInto(Path_("short"), buffer, "raw file", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AFifo_IsReadWhenItsWriterComes_AndItsWaitEndsOnCancellationOrTimeout()
    {
        string fifo = Path_("fifo");
        Fifo.Make(fifo);

        using (var cancel = new CancellationTokenSource(200))
        {
            var clock = Stopwatch.StartNew();
            Assert.ThrowsAny<OperationCanceledException>(() => BoundedFile.ReadAll(fifo, 10, "test file", cancel.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
        }

        var timedOut = Assert.Throws<InputException>(() => BoundedFile.ReadAll(fifo, 10, "test file", TestContext.Current.CancellationToken, TimeSpan.FromMilliseconds(200)));
        Assert.Equal($"test file '{fifo}': nothing came to read in 0.2 s (a FIFO that no program writes to?)", timedOut.Message);

        // A writer that comes later is waited for, and what it writes is read to its end.
        Task writer = Task.Run(() =>
        {
            Thread.Sleep(300);
            File.WriteAllBytes(fifo, [7, 8, 9]);
        }, TestContext.Current.CancellationToken);
        Assert.Equal([7, 8, 9], BoundedFile.ReadAll(fifo, 10, "test file", TestContext.Current.CancellationToken));
        await writer;
    }

    [Theory]
    [InlineData("a\u0000b", "a\\u0000b")]
    [InlineData("line\nbreak", "line\\u000abreak")]
    [InlineData("lone{d800}", "lone\\ud800")]
    [InlineData("\u202eevil", "\\u202eevil")]
    [InlineData("plain é 😀", "plain é 😀")]
    public void PrintableText_EscapesWhatWouldBreakOrHideALine(string text, string shown)
    {
        // A lone surrogate does not survive an attribute's metadata: it is put in here.
        text = text.Replace("{d800}", "\ud800", StringComparison.Ordinal);
        Assert.Equal(shown, PrintableText.Of(text));
    }
}
