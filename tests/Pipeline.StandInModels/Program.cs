using System.CommandLine;
using Pipeline.StandInModels;

var root = new RootCommand("Writes random-weight ONNX models in the file layout of real Hugging Face exports.")
{
    ClipCommand.Create(),
    Pipeline.StandInModels.Captioner.CaptionerCommand.Create(),
    Pipeline.StandInModels.Florence.FlorenceCommand.Create(),
    Pipeline.StandInModels.MClip.MClipCommand.Create(),
};
return root.Parse(args).Invoke();
