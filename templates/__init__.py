"""The Word templates of kinerja (.docx). Edit them in Word; this file only makes the folder
part of the installed package as ``signer.templates``."""
