namespace VgpuView.Viewer;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("vgpuview: no commands yet");
        return 2;
    }
}
